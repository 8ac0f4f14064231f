"""Lesson 07.2: which commands one `batch_alter_table` block sends to SQLite.

    batch_commands(lambda batch_op: batch_op.drop_column("age"))
    → ['CREATE TABLE _alembic_tmp_users', 'INSERT INTO _alembic_tmp_users', 'DROP TABLE users',
       'ALTER TABLE _alembic_tmp_users RENAME TO users']

The block runs through Alembic's own Operations on a fresh in-memory SQLite database with a
small `users` table (id, bio, age); the lesson's database is not touched. Alembic's own
reading of the table (PRAGMA, SELECT) is left out; each command is shown up to its first
parenthesis. An error of the block (CommandError and the like) is raised as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, bio TEXT, age INTEGER)"


def batch_commands(*steps: Callable[[object], object], table: str = "users") -> list[str]:
    """Run ``steps`` (each gets ``batch_op``) in one batch_alter_table(table) block."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        head = statement.split("(", 1)[0].strip()
        if not head.upper().startswith(("PRAGMA", "SELECT")):
            sent.append(" ".join(head.split()))

    with sa.create_engine("sqlite://").connect() as conn:
        conn.exec_driver_sql(USERS)
        sa.event.listen(conn, "before_cursor_execute", record)
        operations = Operations(MigrationContext.configure(conn))
        with operations.batch_alter_table(table) as batch_op:
            for step in steps:
                step(batch_op)
    return sent
