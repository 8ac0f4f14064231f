"""A lesson's life: its sandbox and database, the kernel that owns it, checkpoints, jumps with
upto=, file edits.
"""
