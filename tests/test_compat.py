"""Lesson 15's matrix comes from running the note's operations, not from a table typed by hand."""

from __future__ import annotations

import pytest

from lessonkit.demos.compat import BATCH, FAILED, OK, compatibility_matrix


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
