"""%sql's connection to the lesson database: ipython-sql's own Connection, made by the course.

ipython-sql reads a connection string from the magic's line and splits the line at spaces, so
a database file in «Мои курсы/…» would be cut at the space (and an empty file made outside the
clone). The course therefore creates ipython-sql's Connection object itself, from the whole URL,
and the lesson's %sql lines carry only SQL. The magic object lives here too, created once per
shell and never registered under its own name: the course's %sql (kernel/sql.py) wraps it.
"""

from __future__ import annotations

from lessonkit.core.shell import get_shell
from lessonkit.databases.backends import Backend

_magic: dict[int, object] = {}  # id(shell) -> ipython-sql's SqlMagic for that shell


def ipython_sql(shell):
    """ipython-sql's SqlMagic for ``shell`` (parsing, :variables, result tables are its own)."""
    if id(shell) not in _magic:
        from sql.magic import SqlMagic

        magic = SqlMagic(shell)  # configurable through %config SqlMagic.*, not a magic itself
        magic.displaycon = False
        magic.autopandas = False
        _magic[id(shell)] = magic
    return _magic[id(shell)]


def disconnect_sql() -> None:
    """Close every %sql connection, so a reset can delete or drop the database under it."""
    try:
        from sql.connection import Connection
    except ImportError:
        return
    for connection in list(Connection.connections.values()):
        try:
            connection.internal_connection.close()
            connection.internal_connection.engine.dispose()
        except Exception:  # a connection to a database that is already gone
            pass
    Connection.connections.clear()
    Connection.current = None


def open_connection(backend: Backend) -> None:
    """Make the lesson database ipython-sql's current connection, from the whole URL."""
    from sql.connection import Connection

    disconnect_sql()
    Connection(backend.url)  # registers itself as Connection.current


def connect_sql(backend: Backend) -> str:
    """Point %sql at the lesson database; returns a line for the lesson's welcome box.

    DuckDB lets one process at a time open a database file, so on DuckDB the connection is
    opened only while a %sql cell runs (kernel/sql.py): a terminal `alembic` works beside it.
    """
    shell = get_shell()
    if shell is None:
        return "%sql: нет IPython"
    ipython_sql(shell)
    if backend.name == "duckdb":
        disconnect_sql()
    else:
        open_connection(backend)
    return "%sql подключён к базе урока"
