"""The tools exercises are built with: edit_file, the trimmed SQL log, migration and data
checks that run the round trip themselves, predictions whose expected answer is verified."""

from __future__ import annotations

import pytest

from lessonkit import check, edit_file
from lessonkit.checks.predictions import AUTHOR_MISTAKE
from lessonkit.cli.sql_log import trim
from lessonkit.core.errors import CourseError
from lessonkit.lesson import state as session
from lessonkit.lesson.project import set_ini_option
from tests.conftest import run_cell, shown
from tests.test_robustness import write_revision

TAGS = (
    "    op.create_table('tags', sa.Column('id', sa.Integer, primary_key=True),"
    " sa.Column('name', sa.String(30)))\n"
    "    op.create_index('ix_tags_name', 'tags', ['name'])"
)
TAGS_DOWN = "    op.drop_index('ix_tags_name', 'tags')\n    op.drop_table('tags')"


# -- edit_file -----------------------------------------------------------------------------------


def test_edit_file_shows_only_the_change(shell, make_lesson):
    lesson = make_lesson()
    captured, error = run_cell(
        shell,
        "from lessonkit import edit_file\n"
        'edit_file("alembic.ini", "script_location = %(here)s/alembic", "# moved")',
    )
    assert error is None
    text = shown(captured)
    assert "-script_location = %(here)s/alembic" in text and "+# moved" in text
    assert text.count("\n") < 20, "a diff with a little context, not the whole file"
    assert "# moved" in (lesson.sandbox / "alembic.ini").read_text(encoding="utf-8")


def test_edit_file_refuses_a_missing_or_ambiguous_fragment(make_lesson):
    make_lesson()
    with pytest.raises(CourseError) as missing:
        edit_file("alembic.ini", "script_locaton = %(here)s/alembic", "x")
    assert "script_location = %(here)s/alembic" in missing.value.hint
    with pytest.raises(CourseError, match="встречается"):
        edit_file("alembic.ini", "=", "x")
    with pytest.raises(CourseError, match="вне песочницы"):
        edit_file("../../README.md", "a", "b")


# -- the SQL echo --------------------------------------------------------------------------------


def test_sql_echo_is_trimmed_to_the_statements(shell, make_lesson):
    lesson = make_lesson()
    set_ini_option(lesson.sandbox / "alembic.ini", "level", "INFO", section="logger_sqlalchemy")
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert error is None
    text = shown(captured)
    assert "CREATE TABLE tags" in text and "CREATE INDEX ix_tags_name" in text
    assert "COMMIT" in text
    assert "PRAGMA" not in text and "generated in" not in text, "reflection and timings go"
    assert "скрыто строк журнала SQL" in text and "lesson.last.output" in text
    assert "PRAGMA" in lesson.last.output, "the full log is kept"


def test_output_without_sql_echo_is_left_alone():
    output = "INFO  [alembic.runtime.migration] Running upgrade  -> 001, x\n"
    assert trim(output) == output


# -- check.migration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("downgrade", "verdict"),
    [
        (TAGS_DOWN, "✅"),
        ("    pass", "ничего не меняет"),
        ("    op.drop_table('tags')", "✅"),  # dropping the table drops its index too
        ("    op.drop_table('nope')", "упал"),
    ],
)
def test_migration_check_runs_the_round_trip(shell, make_lesson, downgrade, verdict):
    lesson = make_lesson()
    write_revision(lesson, "001_tags", TAGS, downgrade)
    result = check.migration("001_tags", ["+table tags"])
    assert "❌" in result.text(), "not applied yet: the starting state never passes"
    run_cell(shell, "%alembic upgrade head")
    applied = lesson.snapshot()
    result = check.migration("001_tags", ["+table tags"])
    assert verdict in result.text(), result.text()
    assert lesson.snapshot() == applied, "the learner's database is not touched"
    assert not list(lesson.sandbox.glob(".check*")), "the copy is gone"


@pytest.mark.parametrize(
    "db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "duckdb"]
)
def test_migration_check_on_every_database(shell, make_lesson, db):
    lesson = make_lesson(f"90_tools_{db}", db=db)
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    run_cell(shell, "%alembic upgrade head")
    assert check.migration("001_tags", ["+table tags"]), db
    _, error = run_cell(shell, "%sql SELECT count(*) FROM tags")
    assert error is None, "%sql works after the check (PostgreSQL reconnects it)"


def test_migration_check_sees_a_partial_downgrade(shell, make_lesson):
    lesson = make_lesson()
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    add = "    op.add_column('tags', sa.Column('color', sa.String(7)))\n" + (
        "    op.create_index('ix_tags_color', 'tags', ['color'])"
    )
    forgets_the_column = "    op.drop_index('ix_tags_color', 'tags')"
    write_revision(lesson, "002_color", add, forgets_the_column, "001_tags")
    run_cell(shell, "%alembic upgrade head")
    result = check.migration("002_color", ["+column tags.color", "+index tags.ix_tags_color"])
    assert "❌" in result.text() and "+column tags.color" in result.text()


# -- check.data_migration -------------------------------------------------------------------------


SEED = "    op.execute(\"INSERT INTO tags (id, name) VALUES (1, 'alembic')\")"


@pytest.mark.parametrize(
    ("downgrade", "ok"),
    [("    op.execute('DELETE FROM tags WHERE id = 1')", True), ("    pass", False)],
)
def test_data_migration_check(shell, make_lesson, downgrade, ok):
    lesson = make_lesson()
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    write_revision(lesson, "002_seed", SEED, downgrade, "001_tags")
    query = "SELECT id, name FROM tags ORDER BY id"
    assert not check.data_migration("002_seed", query, [], [(1, "alembic")])
    run_cell(shell, "%alembic upgrade head")
    assert bool(check.data_migration("002_seed", query, [], [(1, "alembic")])) is ok


# -- check.prediction -----------------------------------------------------------------------------


def test_prediction_answers(make_lesson):
    make_lesson()
    assert "не записан" in check.prediction(None, "001").text()
    assert check.prediction(" 001 ", "001")
    assert not check.prediction("002", "001")
    assert check.prediction("да", True) and check.prediction("Нет", False)
    session.active_lesson().expectations.clear()


def test_an_author_mistake_in_a_prediction_is_shown(shell, make_lesson):
    lesson = make_lesson()
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    check.prediction("001_tags", "001_tags", after="revision")
    captured, _ = run_cell(shell, "%alembic upgrade head")
    assert AUTHOR_MISTAKE not in shown(captured)
    check.prediction(False, False, after="fails")  # the author thinks it will not fail
    captured, _ = run_cell(shell, "%alembic downgrade nowhere")
    assert AUTHOR_MISTAKE in shown(captured)


# -- checkpoints -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "duckdb"]
)
def test_restore_brings_files_and_database_back(shell, make_lesson, db):
    lesson = make_lesson(f"90_tools_{db}", db=db)
    write_revision(lesson, "001_tags", TAGS, TAGS_DOWN)
    run_cell(shell, "%alembic upgrade head")
    lesson.checkpoint("задания")
    kept_files, kept_schema = sorted(p.name for p in lesson.sandbox.rglob("*")), lesson.snapshot()
    write_revision(lesson, "002_seed", SEED, "    pass", "001_tags")
    run_cell(shell, "%alembic upgrade head")
    (lesson.sandbox / "notes.txt").write_text("x", encoding="utf-8")
    lesson.restore("задания")
    assert sorted(p.name for p in lesson.sandbox.rglob("*")) == kept_files
    assert lesson.snapshot() == kept_schema
    _, error = run_cell(shell, "%sql SELECT count(*) FROM tags")
    assert error is None
    with pytest.raises(CourseError, match="точки «нет такой»"):
        lesson.restore("нет такой")
    make_lesson(f"90_tools_{db}", db=db)  # a reset forgets the checkpoints
    with pytest.raises(CourseError):
        session.active_lesson().restore("задания")
