"""What DuckDB (with duckdb-sqlalchemy's Alembic implementation) cannot do, as the README and
the lessons say. Each test runs the real thing; if a new release lifts a limit, the test fails
and the README's list needs updating."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from lessonkit.databases.schema import read_schema
from tests.conftest import run_cell


@pytest.fixture
def duck(make_lesson):
    lesson = make_lesson("90_duck_limits", db="duckdb")
    with lesson.backend.engine.begin() as conn:
        Operations(MigrationContext.configure(conn)).create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String(120)),
        )
    return lesson


def operate(lesson, step):
    with lesson.backend.engine.begin() as conn:
        step(Operations(MigrationContext.configure(conn)))


@pytest.mark.parametrize(
    "step",
    [
        lambda ops: ops.create_unique_constraint("uq_users_email", "users", ["email"]),
        lambda ops: ops.create_check_constraint("ck_users_email", "users", "email <> ''"),
        lambda ops: ops.add_column("users", sa.Column("role", sa.String, nullable=False)),
    ],
    ids=["unique", "check", "not-null-column"],
)
def test_no_constraint_is_added_to_an_existing_table_by_alter(duck, step):
    with pytest.raises(sa.exc.DBAPIError, match=r"not yet supported|No support for that ALTER"):
        operate(duck, step)


def test_batch_recreate_adds_constraints_under_duckdbs_own_names(duck):
    def add(ops):
        with ops.batch_alter_table("users", recreate="always") as batch:
            batch.create_unique_constraint("uq_users_email", ["email"])

    operate(duck, add)
    names = {i.name for i in read_schema(duck.backend.engine).items.values() if i.kind == "unique"}
    assert names == {"users_email_key"}, "DuckDB keeps no constraint name of ours"


def test_varchar_length_is_not_stored(duck):
    column = next(i for i in read_schema(duck.backend.engine).items.values() if i.name == "email")
    assert dict(column.attrs)["тип"] == "VARCHAR"


def test_alembic_check_takes_text_for_a_changed_type(make_lesson, shell):
    """A model with Text, a table made from it: `alembic check` still proposes String → Text."""
    duck = make_lesson("90_duck_limits", db="duckdb")
    (duck.sandbox / "models.py").write_text(
        "from sqlalchemy import Column, Integer, Text\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Note(Base):\n    __tablename__ = 'notes'\n"
        "    id = Column(Integer, primary_key=True)\n    body = Column(Text)\n",
        encoding="utf-8",
    )
    run_cell(shell, "%alembic revision --autogenerate -m notes --rev-id 001_notes")
    run_cell(shell, "%alembic upgrade head")
    _, error = run_cell(shell, "%alembic check")
    assert error is not None and "modify_type" in duck.last.output and "Text()" in duck.last.output
