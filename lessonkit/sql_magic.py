"""%sql in a lesson: ipython-sql connected to the lesson database.

ipython-sql 0.5 cannot drive duckdb-engine: it passes the notebook's variables as statement
parameters (DuckDB refuses them) and commits before fetching (the rows are lost). On DuckDB
the course puts a small %sql of its own in its place, which runs the same SQL through
SQLAlchemy, so a lesson moved to DuckDB (COURSE_DB=duckdb) keeps working.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlparse
from IPython.core.magic import Magics, line_cell_magic, magics_class

from lessonkit.backends import Backend
from lessonkit.display import TableView
from lessonkit.session import active_lesson
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
    if backend.name == "duckdb":
        shell.register_magics(DuckDBSqlMagics)
        return "%sql: запросы к DuckDB выполняет курс (ipython-sql 0.5 не работает с DuckDB)"
    from sql.magic import SqlMagic

    shell.register_magics(SqlMagic)  # back to ipython-sql after a DuckDB lesson in this kernel
    shell.run_line_magic("config", "SqlMagic.displaycon = False")
    shell.run_line_magic("config", "SqlMagic.autopandas = False")
    shell.run_line_magic("sql", backend.url)
    return "%sql подключён к базе урока"


class Rows(list):
    """Result of %sql on DuckDB: a list of tuples that displays as a table."""

    def __init__(self, columns: list[str], rows: list[tuple]):
        super().__init__(rows)
        self.view = TableView(tuple(columns), rows)

    def _repr_pretty_(self, printer, cycle) -> None:
        self.view._repr_pretty_(printer, cycle)

    def _repr_html_(self) -> str:
        return self.view._repr_html_()


@magics_class
class DuckDBSqlMagics(Magics):
    @line_cell_magic
    def sql(self, line: str, cell: str | None = None):
        """%sql SELECT ... on the lesson's DuckDB database; returns the last statement's rows."""
        result: Rows | None = None
        with active_lesson().backend.engine.begin() as conn:
            for statement in sqlparse.split(cell if cell is not None else line):
                cursor = conn.execute(sa.text(statement.rstrip(";")))
                if cursor.returns_rows:
                    result = Rows(list(cursor.keys()), [tuple(r) for r in cursor])
                else:
                    print(f"Готово: {statement.split()[0].upper()}.")
        return result
