"""Alembic ships no DuckDB implementation; this one is enough for its operations.

Importing the module registers it (Alembic keys implementations by ``__dialect__``). The env.py
files of the course carry the same three lines, so a terminal `alembic` works on DuckDB too.
"""

from alembic.ddl.impl import DefaultImpl


class AlembicDuckDBImpl(DefaultImpl):
    __dialect__ = "duckdb"
    transactional_ddl = True
