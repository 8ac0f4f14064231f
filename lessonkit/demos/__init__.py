"""Helpers of single lessons: 00's environment check, 15's compatibility matrix, 16.2's pytest run,
17's lock sampler.
"""
