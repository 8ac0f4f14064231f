"""Helpers of single lessons: 00's environment check, 15's compatibility matrix, 16.2's pytest run,
17's lock sampler, the other clients of the database in 19.x (pg_clients) and 19.3's interrupt.
"""
