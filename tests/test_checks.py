"""Exercise checks on table contents: they compare rows and never raise."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lessonkit import check
from lessonkit.cli.command import run_alembic


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


REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down!r}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
"""


def _write_revision(lesson, rev, down, upgrade, downgrade):
    path = lesson.sandbox / "alembic" / "versions" / f"{rev}.py"
    path.write_text(
        REVISION.format(rev=rev, down=down, upgrade=upgrade, downgrade=downgrade), encoding="utf-8"
    )


def test_constraint_exists_finds_named_uniques_and_checks(make_lesson):
    lesson = make_lesson("90_constraints")
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, age INTEGER,"
            " CONSTRAINT uq_users_phone UNIQUE (phone), CONSTRAINT ck_age CHECK (age > 0))"
        )
    assert check.constraint_exists("users", "uq_users_phone")
    assert check.constraint_exists("users", "ck_age")
    missing = check.constraint_exists("users", "uq_users_email")
    assert not missing and "нет ограничения или индекса uq_users_email" in missing.text()


def test_round_trip_runs_downgrade_and_upgrade_and_compares(make_lesson):
    lesson = make_lesson("90_round_trip")
    _write_revision(
        lesson,
        "001_users",
        None,
        "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        "op.drop_table('users')",
    )
    # A downgrade that forgets the column the upgrade added.
    _write_revision(
        lesson,
        "002_phone",
        "001_users",
        "op.add_column('users', sa.Column('phone', sa.String(20)))",
        "pass",
    )
    assert run_alembic(["upgrade", "001_users"], lesson.sandbox).ok
    before = lesson.snapshot()
    assert "база не на ней" in check.round_trip("002_phone", before).text()
    assert run_alembic(["upgrade", "head"], lesson.sandbox).ok
    wrong = check.round_trip("002_phone", before)
    assert not wrong and "колонка phone" in wrong.text()
    # phone stayed after that downgrade, so the check's upgrade failed: still on 001
    assert "upgrade после такого отката упал" in wrong.text()
    assert check.database_at("001_users")

    _write_revision(
        lesson,
        "002_phone",
        "001_users",
        "op.add_column('users', sa.Column('phone', sa.String(20)))",
        "op.drop_column('users', 'phone')",
    )
    with lesson.backend.engine.begin() as conn:  # what the wrong downgrade left behind
        conn.exec_driver_sql("ALTER TABLE users DROP COLUMN phone")
    assert run_alembic(["upgrade", "head"], lesson.sandbox).ok
    assert check.round_trip("002_phone", before)
    assert check.database_at("002_phone")
