"""%sql in a lesson: ipython-sql itself, connected to the lesson database (all three backends).

DuckDB lets one process at a time open a database file. ipython-sql keeps its connection open
between cells, so on DuckDB a kernel would lock the file and `!alembic` or a terminal's
`alembic` could not open it («Could not set lock on file»). The course's %sql is therefore a
thin wrapper (registered with the course's other magics): it runs ipython-sql's own magic and,
on DuckDB, closes the connection afterwards (and opens it again on the next %sql). Everything
else — parsing, :variables, the result table — is ipython-sql's. Before a lesson's first cell it
answers «урок не начат», like %alembic.
"""

from __future__ import annotations

from lessonkit.backends import Backend
from lessonkit.session import lesson_to_change
from lessonkit.shell import get_shell


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
    magic = _ipython_sql(shell)
    shell.run_line_magic("config", "SqlMagic.displaycon = False")
    shell.run_line_magic("config", "SqlMagic.autopandas = False")
    magic.execute(backend.url)
    if backend.name == "duckdb":
        disconnect_sql()  # see the module docstring
    return "%sql подключён к базе урока"


def _ipython_sql(shell):
    """ipython-sql's magics object (its %sql stays registered under our own, see LessonMagics)."""
    if "SqlMagic" not in shell.magics_manager.registry:
        from sql.magic import SqlMagic

        from lessonkit.magic import LessonMagics

        shell.register_magics(SqlMagic)
        shell.register_magics(LessonMagics)  # %sql is ours again, wrapping ipython-sql's
    return shell.magics_manager.registry["SqlMagic"]


def run_sql(shell, line: str, cell: str, local_ns) -> object:
    """%sql / %%sql of a lesson: ipython-sql on the lesson database."""
    from sql.connection import Connection

    lesson = lesson_to_change()  # "урок не начат", or refused in a taken-over sandbox
    magic = _ipython_sql(shell)
    duckdb = lesson.backend.name == "duckdb"
    if duckdb and Connection.current is None:
        magic.execute(lesson.backend.url)
    try:
        return magic.execute(line, cell or "", local_ns)
    finally:
        if duckdb:
            disconnect_sql()
