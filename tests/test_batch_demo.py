"""Lesson 07.2's batch_commands: what one batch_alter_table block sends to SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.util import CommandError

from lessonkit.demos.batch import batch_commands

COPY = [
    "CREATE TABLE _alembic_tmp_users",
    "INSERT INTO _alembic_tmp_users",
    "DROP TABLE users",
    "ALTER TABLE _alembic_tmp_users RENAME TO users",
]


def test_drop_column_and_rename_rebuild_the_table_although_sqlite_has_alter_for_them():
    assert batch_commands(lambda b: b.drop_column("age")) == COPY
    assert batch_commands(lambda b: b.alter_column("bio", new_column_name="about")) == COPY


def test_add_column_and_index_go_through_alter():
    assert batch_commands(
        lambda b: b.add_column(sa.Column("phone", sa.String(20))),
        lambda b: b.create_index("ix_users_phone", ["phone"]),
    ) == ["ALTER TABLE users ADD COLUMN phone VARCHAR", "CREATE INDEX ix_users_phone ON users"]


def test_insert_after_needs_the_rebuild_recorded_before_it():
    def phone_after_id(batch_op):
        batch_op.add_column(sa.Column("phone", sa.String(20)), insert_after="id")

    def drop_age(batch_op):
        batch_op.drop_column("age")

    assert batch_commands(drop_age, phone_after_id) == COPY
    with pytest.raises(CommandError, match="Can't specify insert_before or insert_after"):
        batch_commands(phone_after_id, drop_age)
