"""A helper's or a library's failure in a few Russian lines, the full traceback one click away;
English warnings of a check said in Russian; no SQLAlchemy link on the screen."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from lessonkit.core.errors import CourseError
from lessonkit.core.paths import REPO_ROOT
from tests.conftest import run_cell, shown

ON_SCREEN_MAX_LINES = 6  # title, the message (up to three lines with DETAIL, HINT), what to do


def on_screen(captured) -> str:
    """What JupyterLab shows of a cell: its text without the collapsed traceback."""
    return shown(captured).split(CourseError.DETAILS + ":")[0].strip()


def html_of(captured) -> str:
    return "".join(o.data.get("text/html", "") for o in captured.outputs)


def test_a_failing_query_shows_the_databases_message_in_a_few_lines(shell, make_lesson):
    shell.user_ns["lesson"] = make_lesson()
    run_cell(shell, "%sql CREATE TABLE users (username TEXT UNIQUE)")
    run_cell(shell, "%sql INSERT INTO users VALUES ('alice')")
    captured, error = run_cell(shell, "lesson.query(\"INSERT INTO users VALUES ('alice')\")")
    assert type(error).__name__ == "IntegrityError", "the cell fails with the real error"
    screen = on_screen(captured)
    assert "SQLite вернул ошибку IntegrityError" in screen
    assert "UNIQUE constraint failed: users.username" in screen
    assert "sqlalche.me" not in shown(captured), "not even in the collapsed traceback"
    assert 'File "' not in screen
    assert len(screen.splitlines()) <= ON_SCREEN_MAX_LINES, screen
    html = html_of(captured)
    quoted = re.search(r"<div style='[^']*white-space:pre-wrap[^']*'>([^<]*)</div>", html)
    assert quoted and "UNIQUE constraint failed" in quoted.group(1), "quoted as it is, aligned"
    assert "<details" in html and "<details open" not in html, "the traceback is collapsed"
    assert "Полная трассировка Python" in html and "Traceback (most recent call last)" in html
    assert sys.last_value is error, "%tb shows the full traceback"


def test_a_library_called_in_a_cell_fails_in_a_few_lines_with_the_hint(shell, make_lesson):
    make_lesson()
    captured, error = run_cell(
        shell,
        "from alembic.config import Config\n"
        'Config("alembic.ini").set_main_option("sqlalchemy.url", "postgresql://a:p%40ss@h/app")',
    )
    assert isinstance(error, ValueError)
    screen = on_screen(captured)
    assert "Исключение Python ValueError" in screen
    assert "invalid interpolation syntax" in screen and "`url.replace('%', '%%')`" in screen
    assert len(screen.splitlines()) <= ON_SCREEN_MAX_LINES, screen


def test_the_full_traceback_names_no_folder_of_the_machine(shell, make_lesson):
    make_lesson()
    captured, _ = run_cell(shell, 'import json\njson.loads("{")')
    details = shown(captured).split(CourseError.DETAILS + ":")[1]
    assert "json/decoder.py" in details and "<python>/" in details
    for folder in {str(REPO_ROOT), sys.prefix, sys.base_prefix, str(Path.home())}:
        assert folder + "/" not in details, folder


def test_an_error_of_the_cells_own_code_keeps_ipythons_traceback(shell, make_lesson):
    make_lesson()
    captured, error = run_cell(shell, "def f():\n    raise ValueError('моё')\nf()")
    assert isinstance(error, ValueError)
    assert "Исключение Python" not in shown(captured) and "моё" in shown(captured)


def test_alembic_output_on_the_screen_has_no_sqlalchemy_link(shell, make_lesson):
    lesson = make_lesson()
    versions = lesson.sandbox / "alembic" / "versions"
    (versions / "001_bad.py").write_text(
        'revision = "001_bad"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n'
        "from alembic import op\n\n\ndef upgrade():\n    op.execute('SELECT * FROM nowhere')\n\n\n"
        "def downgrade():\n    pass\n",
        encoding="utf-8",
    )
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert error is not None and "no such table: nowhere" in captured.stdout
    assert "sqlalche.me" not in captured.stdout
    assert "sqlalche.me" in lesson.last.output, "the full output keeps it"


def test_a_checks_english_warning_is_said_in_russian(shell, make_lesson):
    lesson = make_lesson()
    versions = lesson.sandbox / "alembic" / "versions"
    revision = (
        '"""{0}"""\nrevision = "001_users"\ndown_revision = None\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    for name in ("001_users", "002_copy"):  # a copied file that kept the revision's number
        (versions / f"{name}.py").write_text(revision.format(name), encoding="utf-8")
    captured, error = run_cell(shell, "from lessonkit import check\ncheck.single_head()")
    assert error is None
    text = shown(captured) + captured.stderr
    assert "UserWarning" not in text and "present more than once" not in text
    assert "ревизия 001_users записана в двух файлах" in text


def test_a_failed_jump_names_the_cell_without_library_noise():
    from lessonkit.core.tracebacks import message_of

    class Wrapped(Exception):
        orig = Exception("cannot drop type x\nDETAIL:  column y depends on type x")

        def __str__(self):
            return (
                "(psycopg.errors.DependentObjectsStillExist) cannot drop type x\n"
                "[SQL: DROP TYPE x]\n(Background on this error at: https://sqlalche.me/e/21/2j85)"
            )

    assert message_of(Wrapped()) == "cannot drop type x\nDETAIL:  column y depends on type x"
    assert not re.search("sqlalche", message_of(ValueError("x\n(Background on this error at: y)")))


def test_a_long_message_is_cut_on_the_screen_and_kept_in_the_traceback():
    from lessonkit.view.short_errors import framed

    try:
        raise ValueError("\n".join(f"строка {n}" for n in range(40)))
    except ValueError as error:
        box = framed(error)
    assert len(box.message.splitlines()) == 6 and "дальше — в полной трассировке" in box.message
    assert "строка 39" in box.details


def test_a_query_without_rows_is_committed_and_gives_nothing(make_lesson):
    lesson = make_lesson()
    assert lesson.query("CREATE TABLE tags (name TEXT)") == []
    assert lesson.query("INSERT INTO tags VALUES (:name)", name="sql") == []
    assert lesson.query("SELECT name FROM tags") == [("sql",)]
