"""%alembic in an IPython shell: output, diff, failures in Russian, the shell kept alive."""

from __future__ import annotations

import pytest

from lessonkit import session
from lessonkit.errors import AlembicCommandFailed, CourseError, LessonNotStarted


def run_cell(shell, code):
    """Run a cell as the kernel would; return (stdout, exception raised in it)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(code)
    return captured, result.error_in_exec


def tree(folder):
    """Every file of the sandbox with its content, the database file aside."""
    return sorted(
        (str(p.relative_to(folder)), p.read_bytes() if p.is_file() else b"")
        for p in folder.rglob("*")
        if p.name != "lesson.db"
    )


def test_upgrade_prints_cli_output_and_the_diff(shell, make_lesson):
    make_lesson()
    run_cell(shell, '%alembic revision -m "users" --rev-id 001_users')
    lesson = session.active_lesson()
    script = next((lesson.sandbox / "alembic" / "versions").glob("001_users*.py"))
    script.write_text(
        script.read_text().replace(
            '"""Upgrade schema."""',
            '"""Upgrade schema."""\n'
            "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        )
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
        ("init alembic", "уже есть: проект уже инициализирован"),
    ],
)
def test_bad_input_gets_a_russian_hint_and_changes_nothing(shell, make_lesson, line, hint):
    lesson = make_lesson()
    before, tables = tree(lesson.sandbox), lesson.snapshot().tables()
    _, error = run_cell(shell, f"%alembic {line}")
    assert isinstance(error, AlembicCommandFailed)
    assert hint in error.hint
    rendered = "\n".join(error._render_traceback_())
    assert "Команда Alembic завершилась с ошибкой" in rendered and "Что делать" in rendered
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


def test_sql_on_duckdb_and_back_to_ipython_sql(shell, make_lesson):
    make_lesson("90_duck", db="duckdb")
    run_cell(shell, "%alembic upgrade head")
    captured, error = run_cell(shell, "%sql CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")
    assert error is None and "Count" in captured.stdout  # DuckDB answers DML with a row count
    shell.run_cell("rows = %sql SELECT x FROM t")
    assert list(shell.user_ns["rows"]) == [(7,)]
    make_lesson("90_test", db="sqlite")  # the same kernel, the next lesson: ipython-sql again
    shell.run_cell("rows = %sql SELECT count(*) FROM sqlite_master")
    assert type(shell.user_ns["rows"]).__module__ == "sql.run"
