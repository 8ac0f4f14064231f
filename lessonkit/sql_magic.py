"""%sql in a lesson: ipython-sql itself, connected to the lesson database (all three backends).

DuckDB lets one process at a time open a database file. ipython-sql keeps its connection open
between cells, so on DuckDB a kernel would lock the file and `!alembic` or a terminal's
`alembic` could not open it («Could not set lock on file»). The course's %sql is therefore a
thin wrapper: it runs ipython-sql's own magic and, on DuckDB, closes the connection afterwards
(and opens it again on the next %sql). Everything else — parsing, :variables, the result
table — is ipython-sql's.
"""

from __future__ import annotations

from IPython.core.magic import Magics, line_cell_magic, magics_class, needs_local_scope

from lessonkit.backends import Backend
from lessonkit.session import current_lesson, lesson_to_change
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
    shell.extension_manager.load_extension("sql")
    shell.register_magics(LessonSqlMagics)  # after ipython-sql: our %sql wraps its own
    shell.run_line_magic("config", "SqlMagic.displaycon = False")
    shell.run_line_magic("config", "SqlMagic.autopandas = False")
    _ipython_sql(shell).execute(backend.url)
    if backend.name == "duckdb":
        disconnect_sql()  # see the module docstring
    return "%sql подключён к базе урока"


def _ipython_sql(shell):
    return shell.magics_manager.registry["SqlMagic"]


@magics_class
class LessonSqlMagics(Magics):
    @needs_local_scope
    @line_cell_magic
    def sql(self, line: str, cell: str = "", local_ns=None):
        """ipython-sql's %sql / %%sql on the lesson database."""
        from sql.connection import Connection

        lesson = current_lesson() and lesson_to_change()  # not in a taken-over sandbox
        magic = _ipython_sql(self.shell)
        duckdb = lesson is not None and lesson.backend.name == "duckdb"
        if duckdb and Connection.current is None:
            magic.execute(lesson.backend.url)
        try:
            return magic.execute(line, cell or "", local_ns)
        finally:
            if duckdb:
                disconnect_sql()
