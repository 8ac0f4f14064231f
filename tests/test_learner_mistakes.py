"""Mistakes of a real class that used to break a lesson for good: the next run of the first
cell recovers and says what happened."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys

import pytest

from lessonkit.core.errors import DatabaseUnavailable
from lessonkit.core.paths import WORK_DIR
from lessonkit.databases import pg_server as postgres
from lessonkit.lesson import ownership
from lessonkit.lesson.sandbox import start_lesson
from lessonkit.view.hints import hint_for
from tests.conftest import run_cell, shown

USERS = "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))"
REVISION = """from alembic import op
import sqlalchemy as sa

revision = "001_users"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    {USERS}


def downgrade():
    op.drop_table("users")
"""
START = 'lesson = start_lesson("90_learner_mistakes", db="{db}"{extra})'


def first_cell(shell, db="sqlite", extra=""):
    """The lesson's first cell, run as a learner runs it: (what it showed, its error)."""
    shell.user_ns["start_lesson"] = start_lesson
    captured, error = run_cell(shell, START.format(db=db, extra=extra))
    return shown(captured), error


@pytest.fixture
def lesson_closed(shell):
    yield
    from lessonkit.lesson import state as session

    lesson = session.current_lesson()
    if lesson is not None:
        lesson.close()
    session.set_active(None)


def test_a_sandbox_deleted_under_the_kernel_is_made_again(shell, lesson_closed):
    """work/ deleted by hand (here only this lesson's part of it: other tests run in work/):
    the kernel stands in a folder that is gone, and the next first cell recovers."""
    _, error = first_cell(shell)
    assert error is None
    sandbox = shell.user_ns["lesson"].sandbox
    shutil.rmtree(sandbox)
    ownership._record("90_learner_mistakes").unlink()
    text, error = first_cell(shell)
    assert error is None, text
    assert "Урок 90_learner_mistakes готов" in text and (sandbox / "alembic.ini").is_file()


@pytest.mark.heavy
@pytest.mark.postgres
def test_the_postgres_data_folder_deleted_under_the_server(shell, lesson_closed, monkeypatch):
    # A server of its own (in work/: as root the server's system user must reach the folder).
    pgdata = WORK_DIR / "pg-90-deleted"
    monkeypatch.setenv(postgres.ENV_PGDATA, str(pgdata))
    monkeypatch.delenv(postgres.ENV_URL, raising=False)
    try:
        _, error = first_cell(shell, "postgres")
        assert error is None
        shutil.rmtree(pgdata)  # the server runs on
        text, error = first_cell(shell, "postgres")
        assert error is None, text
        assert "данные встроенного PostgreSQL пропали" in text, "says what happened"
        assert "make clean" not in text and "db-reset" not in text
        text, error = first_cell(shell, "postgres")
        assert error is None and "пропали" not in text, "said once"
        captured, error = run_cell(shell, "%alembic current")
        assert error is None, shown(captured)
    finally:
        with contextlib.suppress(Exception):
            postgres.stop_embedded(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)


def test_an_edited_applied_revision_is_explained_after_a_restore(shell, make_lesson):
    lesson = make_lesson()
    path = lesson.sandbox / "alembic" / "versions" / "001_users.py"
    path.write_text(REVISION.replace("{USERS}", USERS), encoding="utf-8")
    run_cell(shell, "%alembic upgrade head")
    lesson.checkpoint("задания")
    lesson.restore("задания")  # each exercise starts with it
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "primary_key=True)", "primary_key=True), sa.Column('email', sa.String(100))"
        ),
        encoding="utf-8",
    )
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert error is None
    assert "Alembic ничего не применил" in shown(captured)
    assert "ревизия 001_users уже применена" in shown(captured)


@pytest.fixture
def other_kernel():
    """A live process that is not this one (stands for a second kernel)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_take_over_says_the_other_kernels_work_is_gone(shell, lesson_closed, other_kernel):
    text, _ = first_cell(shell, extra=", take_over=True")
    assert "забрана у другого ядра" not in text, "nobody else worked in it"
    owner = ownership.Owner(other_kernel.pid, ownership._start_time(other_kernel.pid), "12:00")
    record = ownership._record("90_learner_mistakes")
    record.write_text(json.dumps(owner.__dict__), encoding="utf-8")
    text, error = first_cell(shell, extra=", take_over=True")
    assert error is None
    assert f"песочница забрана у другого ядра (процесс {other_kernel.pid}" in text
    assert "стёрты" in text
    text, _ = first_cell(shell)
    assert "забрана" not in text, "only when there was another live owner"


def test_an_unencoded_at_in_the_database_password_gets_the_hint(shell, lesson_closed, monkeypatch):
    monkeypatch.setenv(postgres.ENV_URL, "postgresql://app:p@ss@127.0.0.1:5999/app")
    with pytest.raises(DatabaseUnavailable) as refused:
        start_lesson("90_learner_mistakes", db="postgres")
    assert "ss@127.0.0.1" in refused.value.message
    assert "`@` → `%40`" in refused.value.hint and "`%` → `%25`" in refused.value.hint


@pytest.mark.parametrize(
    "message",
    [
        "failed to resolve host 'word@127.0.0.1': [Errno -2] Name or service not known",
        'FATAL:  password authentication failed for user "app"',
    ],
)
def test_the_hint_table_knows_an_unencoded_password(message):
    from lessonkit.cli.command import CommandResult

    hint = hint_for(CommandResult(["current"], f"sqlalchemy.exc.OperationalError: {message}", 1))
    assert "`@` → `%40`" in hint and "`%` → `%25`" in hint
