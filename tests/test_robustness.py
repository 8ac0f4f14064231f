"""The mistakes of a real class, in an IPython shell: a clear Russian answer, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from lessonkit.cli import plugins as alembic_state
from lessonkit.core.errors import (
    CommandInterrupted,
    CourseError,
    LessonNotStarted,
    SandboxBusy,
    SandboxTakenOver,
    UnsafeReset,
)
from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.databases import pg_server as postgres
from lessonkit.lesson import ownership
from lessonkit.lesson import state as session
from tests.conftest import run_cell, shown

REVISION = '''"""{message}"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def write_revision(lesson, rev, upgrade, downgrade="    pass", down=None, message="step"):
    path = lesson.sandbox / "alembic" / "versions" / f"{rev}.py"
    path.write_text(
        REVISION.format(message=message, rev=rev, down=down, upgrade=upgrade, downgrade=downgrade),
        encoding="utf-8",
    )
    return path


USERS = "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))"


# -- Kernel → Interrupt during %alembic upgrade ------------------------------------------------


def interrupting_upgrade() -> str:
    """An upgrade that creates a table, then is interrupted as Kernel → Interrupt does it."""
    return (
        f"{USERS}\n"
        "    import signal, time\n"
        "    signal.raise_signal(signal.SIGINT)  # os.kill(pid, SIGINT) kills outright on Windows\n"
        "    time.sleep(5)\n"
        "    op.create_table('never', sa.Column('id', sa.Integer, primary_key=True))"
    )


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt, as in a kernel running a cell (an earlier test in this
    worker may have left another handler: a sleep would then run out); restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.heavy
@pytest.mark.parametrize(
    ("db", "state"),
    [
        ("sqlite", "изменена частично"),
        pytest.param("postgres", "не изменились", marks=pytest.mark.postgres),
    ],
)
def test_interrupted_upgrade_says_what_the_database_holds(
    shell, make_lesson, sigint_raises, db, state
):
    lesson = make_lesson("90_interrupt", db=db)
    write_revision(lesson, "001_users", interrupting_upgrade())
    started = time.monotonic()
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert time.monotonic() - started < 4, "the interrupt stopped the command"
    assert isinstance(error, CommandInterrupted)
    assert "Ядро → Прервать" in error.message and state in error.message
    text = shown(captured)
    assert "Running upgrade  -> 001_users" in text, "Alembic's INFO lines are kept"
    assert "Схема базы" in text, "the diff of what the database holds now"
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    if db == "sqlite":  # non-transactional DDL: the table stays, alembic_version does not move
        assert "+ таблица users" in text
        assert lesson.snapshot().version in (None, ())
        assert "DROP TABLE" in error.hint
    _, error = run_cell(shell, "1 + 1")
    assert error is None, "the kernel is alive"


def test_an_error_while_cleaning_up_after_the_interrupt_is_reported_as_the_interrupt(
    shell, make_lesson, sigint_raises
):
    """autocommit_block() restoring a connection the interrupt invalidated raises SQLAlchemy's
    PendingRollbackError (lesson 19.3): the learner pressed ■, and that is what they are told."""
    lesson = make_lesson("90_interrupt_cleanup")
    cleanup_fails = (
        f"{USERS}\n"
        "    try:\n"
        "        raise KeyboardInterrupt\n"
        "    finally:\n"
        "        raise RuntimeError('cleanup failed')"
    )
    write_revision(lesson, "001_users", cleanup_fails)
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert isinstance(error, CommandInterrupted)
    assert "cleanup failed" not in shown(captured)


def test_interrupt_after_presses_the_button_once_and_only_in_its_block(sigint_raises):
    from lessonkit.demos.interrupt import interrupt_after

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupt_after(0.2):
        time.sleep(5)
    assert time.monotonic() - started < 2
    with interrupt_after(0.3):
        pass  # ends first: the timer is cancelled
    time.sleep(0.6)  # no KeyboardInterrupt arrives after the block


# -- a refused reset touches nothing ------------------------------------------------------------


@pytest.mark.postgres
def test_a_refused_reset_keeps_the_sandbox(shell, make_lesson, pg_admin_url):
    lesson = make_lesson("90_refused", db="sqlite")
    keep = lesson.sandbox / "my_notes.txt"
    keep.write_text("работа учащегося", encoding="utf-8")
    engine = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS lesson_90_refused WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE lesson_90_refused")  # not the course's
    try:
        with pytest.raises(UnsafeReset, match="создал её не курс"):
            make_lesson("90_refused", db="postgres")
        assert keep.read_text(encoding="utf-8") == "работа учащегося", "the sandbox was not emptied"
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = 'lesson_90_refused'"
            ).scalar()
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE lesson_90_refused WITH (FORCE)")
        engine.dispose()


# -- file cells --------------------------------------------------------------------------------


def test_writefile_before_the_first_cell_writes_nothing(shell, tmp_path, monkeypatch):
    session.set_active(None)
    monkeypatch.chdir(tmp_path)
    _, error = run_cell(shell, "%%writefile models.py\nx = 1\n")
    assert isinstance(error, LessonNotStarted)
    assert not (tmp_path / "models.py").exists()


def test_writefile_outside_the_sandbox_is_refused(shell, make_lesson):
    make_lesson()
    target = REPO_ROOT / "notebooks" / "stray.py"
    _, error = run_cell(shell, "%%writefile ../../notebooks/stray.py\nx = 1\n")
    assert isinstance(error, CourseError) and "вне песочницы" in error.message
    assert not target.exists()
    _, error = run_cell(shell, "%%writefile models.py\nx = 1\n")
    assert error is None and (session.active_lesson().sandbox / "models.py").read_text(
        encoding="utf-8"
    ) == ("x = 1\n")
    _, error = run_cell(shell, "%%writefile -a models.py\ny = 2\n")
    assert (session.active_lesson().sandbox / "models.py").read_text(
        encoding="utf-8"
    ) == "x = 1\ny = 2\n"


# -- two kernels, one sandbox --------------------------------------------------------------------


@pytest.fixture
def other_process():
    """A live process that is not this one (stands for a second kernel)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def pretend_owner(lesson: str, process) -> None:
    owner = ownership.Owner(process.pid, ownership._start_time(process.pid), "12:00")
    ownership._record(lesson).write_text(json.dumps(owner.__dict__), encoding="utf-8")


def test_a_second_kernel_is_refused_and_loses_nothing(make_lesson, other_process):
    lesson = make_lesson("90_owned")
    keep = lesson.sandbox / "my_notes.txt"
    keep.write_text("первое ядро", encoding="utf-8")
    session.set_active(None)  # this process now plays the second kernel
    pretend_owner("90_owned", other_process)
    with pytest.raises(SandboxBusy) as refused:
        make_lesson("90_owned")
    assert f"процесс {other_process.pid}" in refused.value.message
    assert "take_over=True" in refused.value.hint
    assert keep.read_text(encoding="utf-8") == "первое ядро", "the second kernel touched nothing"
    other_process.kill()
    other_process.wait()
    make_lesson("90_owned")  # the other kernel is gone (closed tab): the sandbox is free
    assert not keep.exists()


def test_take_over_and_the_old_kernel_is_told(shell, make_lesson, other_process):
    make_lesson("90_owned")
    pretend_owner("90_owned", other_process)  # another kernel took it over
    _, error = run_cell(shell, "%alembic current")
    assert isinstance(error, SandboxTakenOver)
    assert "take_over=True" in error.hint
    _, error = run_cell(shell, "%%writefile models.py\nx = 1\n")
    assert isinstance(error, SandboxTakenOver)
    _, error = run_cell(shell, "%sql SELECT 1")
    assert isinstance(error, SandboxTakenOver)
    with pytest.raises(SandboxBusy):
        make_lesson("90_owned")
    from lessonkit.lesson.sandbox import start_lesson

    start_lesson("90_owned", take_over=True)
    _, error = run_cell(shell, "%alembic current")
    assert error is None


# -- an applied revision edited, then upgrade head ----------------------------------------------


def test_editing_an_applied_revision_explains_why_nothing_runs(shell, make_lesson):
    lesson = make_lesson()
    path = write_revision(lesson, "001_users", USERS, "    op.drop_table('users')")
    run_cell(shell, "%alembic upgrade head")
    captured, error = run_cell(shell, "%alembic upgrade head")
    assert error is None and "Применять нечего: база уже на ревизии 001_users" in shown(captured)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "primary_key=True)", "primary_key=True), sa.Column('email', sa.String(100))"
        ),
        encoding="utf-8",
    )
    captured, error = run_cell(shell, "%alembic upgrade head")
    text = shown(captured)
    assert error is None and "Схема не изменилась" in text
    assert "ревизия 001_users уже применена" in text and "изменён после этого" in text
    assert "%alembic downgrade 001_users-1" in text
    run_cell(shell, "%alembic downgrade base")
    captured, _ = run_cell(shell, "%alembic upgrade head")
    assert "+ колонка email" in shown(captured) and "изменён" not in shown(captured)


# -- typos and syntax errors ---------------------------------------------------------------------


def test_a_misspelt_revision_name_gets_the_closest_one(shell, make_lesson):
    lesson = make_lesson()
    write_revision(lesson, "001_users", USERS)
    _, error = run_cell(shell, "%alembic upgrade haed")
    assert "`%alembic upgrade head`" in error.hint
    _, error = run_cell(shell, "%alembic upgrade 001_usres")
    assert "`%alembic upgrade 001_users`" in error.hint


def test_a_syntax_error_names_the_file_and_line(shell, make_lesson):
    lesson = make_lesson()
    (lesson.sandbox / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase)\n    pass\n",
        encoding="utf-8",
    )
    _, error = run_cell(shell, '%alembic revision --autogenerate -m "x"')
    assert "work/90_robustness/models.py, строка 4" in error.hint
    assert "`class Base(DeclarativeBase)`" in error.hint
    (lesson.sandbox / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
        encoding="utf-8",
    )
    path = write_revision(lesson, "001_users", "    op.create_table('users',")
    _, error = run_cell(shell, "%alembic upgrade head")
    assert f"{path.relative_to(REPO_ROOT)}, строка" in error.hint


def test_an_error_in_the_learners_code_names_its_line(shell, make_lesson):
    lesson = make_lesson()
    write_revision(lesson, "001_users", "    op.create_tabel('users')")
    _, error = run_cell(shell, "%alembic upgrade head")
    assert "work/90_robustness/alembic/versions/001_users.py, строка 12" in error.hint
    assert "`op.create_tabel('users')`" in error.hint


# -- the message boxes ---------------------------------------------------------------------------


def test_hint_boxes_render_inline_code_and_wrap_between_words(shell, make_lesson):
    make_lesson()
    _, error = run_cell(shell, "%alembic curren")
    html = error.box()._repr_html_()
    assert "<code" in html and "%alembic current</code>" in html and "`" not in html
    assert "overflow-wrap:break-word;word-break:normal" in html
    assert "var(--jp-content-font-size1" in html, "the size follows JupyterLab's font size"


# -- a kernel that runs a second lesson, or the same one again -----------------------------------


def test_plugins_of_an_earlier_env_py_are_forgotten():
    import alembic_postgresql_enum
    from alembic.autogenerate.compare import comparators
    from alembic.operations.base import Operations

    def plugin_comparators():
        return [
            fn
            for entries in comparators._registry.values()
            for fn, _ in entries
            if fn.__module__.startswith("alembic_postgresql_enum")
        ]

    assert plugin_comparators() and hasattr(Operations, "sync_enum_values")
    assert alembic_state.reset() == ["alembic_postgresql_enum"]
    assert not plugin_comparators() and not hasattr(Operations, "sync_enum_values")
    assert "alembic_postgresql_enum" not in sys.modules
    import alembic_postgresql_enum  # noqa: F401, F811 — a new import registers it again

    assert plugin_comparators() and hasattr(Operations, "sync_enum_values")
    alembic_state.reset()


def test_an_env_py_class_cannot_shadow_duckdbs_implementation(tmp_path):
    from alembic.ddl import impl

    engine = sa.create_engine(f"duckdb:///{tmp_path / 'x.duckdb'}")
    with engine.connect():
        pass  # the dialect registers duckdb-sqlalchemy's implementation
    resident = impl._impls["duckdb"]

    class AlembicDuckDBImpl(impl.DefaultImpl):  # what the course's env.py used to carry
        __dialect__ = "duckdb"

    assert impl._impls["duckdb"] is AlembicDuckDBImpl
    alembic_state.reset()
    assert impl._impls["duckdb"] is resident
    engine.dispose()


# -- the embedded server and a kernel killed with SIGKILL ----------------------------------------


ATTACH = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from lessonkit.databases.pg_server import start_embedded
    start_embedded(Path(sys.argv[1]))
    print("attached", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.heavy
@pytest.mark.postgres
def test_a_killed_kernel_does_not_keep_the_server_forever():
    pgdata = WORK_DIR / "pg-90-killed"
    kernel = subprocess.Popen(
        [sys.executable, "-c", ATTACH, str(pgdata)],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert kernel.stdout.readline().strip() == "attached"
        handles = json.loads((pgdata / ".handle_pids.json").read_text(encoding="utf-8"))
        assert kernel.pid in handles
        kernel.kill()  # SIGKILL; TerminateProcess on Windows: the process gets no say either way
        kernel.wait()
        assert postgres.forget_dead_handles(pgdata) == [kernel.pid]
        assert kernel.pid not in json.loads(
            (pgdata / ".handle_pids.json").read_text(encoding="utf-8")
        )
    finally:
        kernel.kill()
        postgres.stop_embedded(pgdata)
    assert not (pgdata / ".handle_pids.json").exists(), "db-stop clears the list"
    assert not (pgdata / "postmaster.pid").exists()


@pytest.mark.heavy
def test_db_stop_prints_no_english_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "lessonkit.databases.pgctl", "stop"],
        capture_output=True,
        text=True,
        env={**env, postgres.ENV_PGDATA: str(tmp_path / "pg")},
        cwd=REPO_ROOT,
        encoding="utf-8",
    )
    assert done.returncode == 0
    assert done.stdout.strip() == "PostgreSQL курса не запущен."
    assert "Warning" not in done.stderr and "XDG_RUNTIME_DIR" not in done.stderr, done.stderr


# -- upto= -------------------------------------------------------------------------------------


def test_an_unknown_section_lists_the_sections_and_resets_nothing(shell):
    from lessonkit.lesson.sandbox import start_lesson

    with pytest.raises(CourseError) as unknown:
        start_lesson("06_manual_table", upto="Нет такого раздела")
    assert "«Нет такого раздела»" in unknown.value.message
    assert "• Задания" in unknown.value.message and "• Ловушки" in unknown.value.message
    with pytest.raises(CourseError, match="только для уроков курса"):
        start_lesson("90_no_such_lesson", upto="Задания")
