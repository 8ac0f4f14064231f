"""Lesson 15's matrix comes from running the note's operations, not from a table typed by hand."""

from __future__ import annotations

import pytest

from lessonkit.demos.compat import BATCH, FAILED, OK, compatibility_matrix


@pytest.mark.heavy
@pytest.mark.postgres
def test_the_matrix_is_what_the_databases_answer(make_lesson):
    lesson = make_lesson()
    matrix = compatibility_matrix()
    assert matrix.outcome("type_=String(255)", "sqlite").kind == BATCH
    assert matrix.outcome("type_=String(255)", "postgres").kind == OK
    assert matrix.outcome("create_unique_constraint", "duckdb").kind == BATCH
    serial = matrix.outcome("SERIAL", "sqlite")
    assert serial.kind == FAILED and 'near "("' in serial.error
    assert all(outcomes["postgres"].kind == OK for _, outcomes in matrix.rows)
    assert not (lesson.sandbox / ".compat").exists(), "the throw-away databases are gone"


TITLE = '''"""posts.title

Revision ID: 001_title
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "001_title"
down_revision = None


def upgrade():
    with op.batch_alter_table("posts", recreate=RECREATE) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("posts", recreate=RECREATE) as batch_op:
        batch_op.drop_column("title")
'''


@pytest.mark.heavy
@pytest.mark.postgres
def test_a_revision_on_every_database_with_the_rows_the_application_has(make_lesson):
    """recreate="always" on PostgreSQL gives posts.id a new sequence from 1: the application's
    next INSERT clashes with the copied rows. Only DuckDB needs the table rebuilt."""
    from lessonkit.demos.compat import on_every_database

    lesson = make_lesson()
    versions = lesson.sandbox / "alembic" / "versions"
    args = ("001_title", "INSERT INTO posts (user_id) VALUES (3)")
    rows = "INSERT INTO posts (user_id) VALUES (1), (2)"
    for recreate, passes in [
        ('"always"', False),
        ('"always" if op.get_bind().dialect.name == "duckdb" else "auto"', True),
    ]:
        (versions / "001_title.py").write_text(
            TITLE.replace("RECREATE", recreate), encoding="utf-8"
        )
        verdict = on_every_database(*args, before=rows)
        assert bool(verdict) is passes, verdict.message
        if not passes:
            assert "postgres" in verdict.message and "duplicate key" in verdict.message
            assert "sqlite" not in verdict.message and "duckdb" not in verdict.message
