"""Connect ipython-sql's %sql to the lesson database."""

from __future__ import annotations

from lessonkit.backends import Backend
from lessonkit.shell import get_shell

# ipython-sql 0.5 cannot drive duckdb-engine: it passes the notebook's variables as statement
# parameters (DuckDB refuses them) and commits before fetching (the rows are lost).
UNSUPPORTED = {
    "duckdb": "ipython-sql 0.5 несовместим с duckdb-engine; "
    'для запросов используйте lesson.query("SELECT ...")'
}


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


def connect_sql(backend: Backend) -> str:
    """Point %sql at the lesson database; returns a line for the lesson's welcome box."""
    shell = get_shell()
    if shell is None:
        return "%sql: нет IPython"
    if backend.name in UNSUPPORTED:
        return "%sql: " + UNSUPPORTED[backend.name]
    shell.extension_manager.load_extension("sql")
    shell.run_line_magic("config", "SqlMagic.displaycon = False")
    shell.run_line_magic("config", "SqlMagic.autopandas = False")
    shell.run_line_magic("sql", backend.url)
    return "%sql подключён к базе урока"
