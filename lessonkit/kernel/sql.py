"""%sql / %%sql of a lesson: ipython-sql itself, on the lesson database (all three backends).

DuckDB lets one process at a time open a database file. ipython-sql keeps its connection open
between cells, so on DuckDB a kernel would lock the file and `!alembic` or a terminal's
`alembic` could not open it («Could not set lock on file»). The course's %sql is therefore a
thin wrapper: it runs ipython-sql's own magic and, on DuckDB, closes the connection afterwards
(and opens it again on the next %sql). Before a lesson's first cell it answers «урок не начат»,
like %alembic.
"""

from __future__ import annotations

from lessonkit.lesson.sql_connection import disconnect_sql, ipython_sql, open_connection
from lessonkit.lesson.state import lesson_to_change


def run_sql(shell, line: str, cell: str, local_ns) -> object:
    from sql.connection import Connection

    lesson = lesson_to_change()  # "урок не начат", or refused in a taken-over sandbox
    magic = ipython_sql(shell)
    duckdb = lesson.backend.name == "duckdb"
    if Connection.current is None:
        open_connection(lesson.backend)
    try:
        return magic.execute(line, cell or "", local_ns)
    finally:
        if duckdb:
            disconnect_sql()
