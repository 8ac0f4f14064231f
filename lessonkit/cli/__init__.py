"""The real Alembic command line, run inside the kernel: output as a terminal shows it, plugins
reset, SQL logs trimmed.
"""
