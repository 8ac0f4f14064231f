"""%alembic in an IPython shell: output, diff, failures in Russian, the shell kept alive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lessonkit.core.errors import AlembicCommandFailed, CourseError, LessonNotStarted
from lessonkit.lesson import state as session
from tests.conftest import run_cell, tree


def test_upgrade_prints_cli_output_and_the_diff(shell, make_lesson):
    make_lesson()
    run_cell(shell, '%alembic revision -m "users" --rev-id 001_users')
    lesson = session.active_lesson()
    script = next((lesson.sandbox / "alembic" / "versions").glob("001_users*.py"))
    script.write_text(
        script.read_text(encoding="utf-8").replace(
            '"""Upgrade schema."""',
            '"""Upgrade schema."""\n'
            "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        ),
        encoding="utf-8",
    )
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert error is None, session.active_lesson().last.traceback
    assert "Running upgrade  -> 001_users, users" in captured.stdout
    diff_text = captured.outputs[0].data["text/plain"]
    assert "+ таблица users" in diff_text
    assert "alembic_version: таблица создана, версия 001_users" in diff_text
    assert "text/html" in captured.outputs[0].data


def test_read_only_commands_show_no_diff(shell, make_lesson):
    make_lesson()
    captured, error = run_cell(shell, "%alembic history")
    assert error is None and captured.outputs == []


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("upgrad head", "`%alembic upgrade`"),
        ("downgrade abc123def456", "ревизии «abc123def456» нет"),
        ("upgrade +3", "выходит за пределы цепочки"),
        ("upgrade", "не хватает аргумента"),
        ("init alembic", "в папке alembic уже есть файлы"),
    ],
)
def test_bad_input_gets_a_russian_hint_and_changes_nothing(shell, make_lesson, line, hint):
    lesson = make_lesson()
    before, tables = tree(lesson.sandbox), lesson.snapshot().tables()
    _, error = run_cell(shell, f"%alembic {line}")
    assert isinstance(error, AlembicCommandFailed)
    assert hint in error.hint
    shown = error.box().text()
    assert "Команда Alembic завершилась с ошибкой" in shown and "Что делать" in shown
    assert "Команда Alembic завершилась с ошибкой" in error._render_traceback_()[0]
    assert tree(lesson.sandbox) == before, "a failed command leaves the files as they were"
    # ...and the learner's tables (Alembic may have created its empty alembic_version).
    assert [t for t in lesson.snapshot().tables() if t != "alembic_version"] == tables
    _, error = run_cell(shell, "1 + 1")  # the shell is alive and usable
    assert error is None


def test_unbalanced_quote(shell, make_lesson):
    make_lesson()
    _, error = run_cell(shell, '%alembic revision -m "oops')
    assert isinstance(error, CourseError) and "кавычк" in error.hint


def test_magic_before_start_lesson_asks_for_the_first_cell(shell):
    session.set_active(None)
    _, error = run_cell(shell, "%alembic current")
    assert isinstance(error, LessonNotStarted)
    assert "первую ячейку" in error.hint


def test_sql_magic_is_connected_to_the_lesson_database(shell, make_lesson):
    make_lesson()
    run_cell(shell, "%alembic upgrade head")
    shell.run_cell("rows = %sql SELECT count(*) FROM alembic_version")
    assert list(shell.user_ns["rows"]) == [(0,)]


def test_restart_resets_sandbox_and_database(shell, make_lesson):
    lesson = make_lesson()
    run_cell(shell, '%alembic revision -m "one" --rev-id 001_one')
    run_cell(shell, "%alembic upgrade head")
    assert lesson.snapshot().version == ("001_one",)
    again = make_lesson()
    assert again.snapshot().version is None
    assert not list((again.sandbox / "alembic" / "versions").glob("*.py"))


@pytest.mark.parametrize("db", ["sqlite", "postgres", "duckdb"])
def test_ipython_sql_on_every_backend(shell, make_lesson, db):
    """%sql is ipython-sql itself on all three databases: DDL, DML, SELECT, :var parameters."""
    make_lesson("90_sql", db=db)
    captured, error = run_cell(
        shell, "%sql CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7), (8)"
    )
    assert error is None, captured.stdout
    shell.run_cell("wanted = 8")
    shell.run_cell("rows = %sql SELECT x FROM t WHERE x = :wanted")
    rows = shell.user_ns["rows"]
    assert type(rows).__module__ == "sql.run" and [tuple(r) for r in rows] == [(8,)]


def test_duckdb_file_is_free_for_a_terminal_between_cells(shell, make_lesson):
    """DuckDB locks its file per process: after %sql and %alembic, `!alembic` must open it."""
    lesson = make_lesson("90_sql", db="duckdb")
    run_cell(shell, '%alembic revision -m "one" --rev-id 001_one')
    run_cell(shell, "%alembic upgrade head")
    _, error = run_cell(shell, "rows = %sql SELECT version_num FROM alembic_version")
    assert error is None and [tuple(r) for r in shell.user_ns["rows"]] == [("001_one",)]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("alembic")), "current"],
        cwd=lesson.sandbox,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0 and "001_one" in done.stdout, done.stderr
