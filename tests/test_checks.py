"""Exercise checks on table contents: they compare rows and never raise."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lessonkit import check


def test_query_returns_compares_rows_and_never_raises(make_lesson):
    lesson = make_lesson("94_checks")
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO notes (id, body) VALUES (1, 'a'), (2, 'b')")
    sql = "SELECT body FROM notes ORDER BY id"
    assert check.query_returns(sql, [("a",), ("b",)])
    wrong = check.query_returns(sql, [("a",), (None,)])
    assert not wrong and "('b',)" in wrong.text()
    missing = check.query_returns("SELECT body FROM gone", [("a",)])
    assert not missing and "не выполнился" in missing.text()


def test_row_exists(make_lesson):
    lesson = make_lesson("90_rows")
    assert not check.row_exists("users", username="bob")
    assert "таблицы users в базе нет" in check.row_exists("users", username="bob").text()
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (username TEXT, email TEXT)")
        conn.exec_driver_sql("INSERT INTO users VALUES ('O''Brien', 'ob@example.com')")
    assert check.row_exists("users", username="O'Brien", email="ob@example.com")
    assert check.row_exists("users")
    missing = check.row_exists("users", username="O'Brien", email="other@example.com")
    assert not missing and "нет строки" in missing.text()


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


def test_index_exists(make_lesson):
    lesson = make_lesson("90_checks")
    assert "таблицы posts в базе нет" in check.index_exists("posts", "idx_posts_user_id").text()
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER)")
    missing = check.index_exists("posts", "idx_posts_user_id")
    assert not missing and "нет индекса idx_posts_user_id" in missing.text()
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX idx_posts_user_id ON posts (user_id)")
    assert check.index_exists("posts", "idx_posts_user_id")


def test_alembic_prints_reads_the_real_output_of_a_command(make_lesson):
    from lessonkit import set_ini_option

    lesson = make_lesson("90_checks")
    assert check.alembic_prints("current", "Context impl")
    quiet = check.alembic_prints("current", "BEGIN (implicit)")
    assert not quiet and "не печатает «BEGIN (implicit)»" in quiet.text()
    set_ini_option(lesson.sandbox / "alembic.ini", "level", "INFO", section="logger_sqlalchemy")
    assert check.alembic_prints("current", "BEGIN (implicit)")
    still = check.alembic_prints("current", "BEGIN (implicit)", absent="Context impl")
    assert not still and "всё ещё печатает «Context impl»" in still.text()
    set_ini_option(lesson.sandbox / "alembic.ini", "level", "WARN", section="logger_alembic")
    assert check.alembic_prints("current", "BEGIN (implicit)", absent="Context impl")
    failed = check.alembic_prints("upgrade nope", "anything")
    assert not failed and "завершилась с ошибкой (код 255)" in failed.text()
