"""Lesson 14 helpers: check.enum_exists and the Russian hints for PostgreSQL ENUM errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lessonkit import check
from lessonkit.alembic_cli import CommandResult
from lessonkit.hints import hint_for


@pytest.mark.postgres
def test_enum_exists_reads_the_type_and_its_values(make_lesson):
    lesson = make_lesson("90_checks", db="postgres")
    assert not check.enum_exists("statuspost")
    with lesson.backend.engine.begin() as conn:
        conn.execute(sa.text("CREATE TYPE statuspost AS ENUM ('DRAFT', 'PUBLISHED')"))
    assert check.enum_exists("statuspost")
    assert check.enum_exists("statuspost", ["DRAFT", "PUBLISHED"])
    wrong = check.enum_exists("statuspost", ["DRAFT"])
    assert not wrong and "('DRAFT', 'PUBLISHED')" in wrong.text()


def test_enum_exists_on_a_database_without_enum_types(make_lesson):
    make_lesson("90_checks", db="sqlite")
    assert "ENUM-типа statuspost в базе нет" in check.enum_exists("statuspost").text()


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ('(psycopg.errors.DuplicateObject) type "genderenum" already exists', "create_type=False"),
        ('(psycopg.errors.UndefinedObject) type "genderenum" does not exist', "checkfirst=True"),
        ('unsafe use of new value "OTHER" of enum type genderenum', "autocommit_block"),
    ],
)
def test_enum_errors_get_a_hint(error, hint):
    result = CommandResult(["upgrade", "head"], f"sqlalchemy.exc.ProgrammingError: {error}\n", 1)
    assert hint in hint_for(result)
