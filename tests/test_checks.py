"""Exercise checks that need a database of their own kind (the others run in every notebook)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lessonkit import check


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
