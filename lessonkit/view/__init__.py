"""What the learner sees: files, the revision graph, hints after a failed command, notes after a
surprising one.
"""
