"""Real Jupyter kernels, as JupyterLab starts them in notebooks/: a cell run before the first
one, two kernels on one lesson, Kernel → Interrupt in the middle of an upgrade."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from jupyter_client.manager import start_new_kernel

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from tests.conftest import git_status

pytestmark = pytest.mark.notebooks
NOTEBOOKS = REPO_ROOT / "notebooks"


@contextmanager
def kernel():
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS))
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str, timeout: float = 60) -> dict:
    """Execute ``code``; return what came back: text of every output, the error if any."""
    msg_id = client.execute(code)
    outputs, error = [], None
    deadline = time.monotonic() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            outputs.append(content["text"])
        elif kind in ("display_data", "execute_result"):
            outputs.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            error = content
        elif kind == "status" and content["execution_state"] == "idle":
            return {"text": "\n".join(outputs), "error": error}


def test_cells_run_before_the_first_one_cannot_touch_the_repository():
    before = git_status()
    with kernel() as (_, client):
        written = run(client, "%%writefile models.py\nx = 1\n")
        assert written["error"]["ename"] == "LessonNotStarted"
        assert written["text"].count("урок ещё не запущен") == 1, "the message is shown once"
        for early in ("%sql SELECT 1", "%alembic current"):
            assert run(client, early)["error"]["ename"] == "LessonNotStarted"
        where = run(client, "import os; print(os.getcwd())")
        assert where["text"].strip() == str(WORK_DIR / ".idle")
        git = run(client, "!git rev-parse --show-toplevel")
        assert str(REPO_ROOT) not in git["text"], "git does not find the course repository"
    assert not (NOTEBOOKS / "models.py").exists()
    assert git_status() == before


START = 'from lessonkit import start_lesson\nlesson = start_lesson("90_two_kernels"{extra})'


def test_two_kernels_on_one_lesson():
    with kernel() as (_, first), kernel() as (_, second):
        assert run(first, START.format(extra=""))["error"] is None
        run(first, '%alembic revision -m "one" --rev-id 001_one')
        refused = run(second, START.format(extra=""))
        assert refused["error"]["ename"] == "SandboxBusy"
        assert "другое ядро" in refused["text"] and "take_over=True" in refused["text"]
        kept = run(first, "%alembic history")
        assert kept["error"] is None and "001_one" in kept["text"], "nothing was corrupted"
        assert run(second, START.format(extra=", take_over=True"))["error"] is None
        told = run(first, "%alembic current")
        assert told["error"]["ename"] == "SandboxTakenOver"
        assert "забрало другое ядро" in told["text"]
        assert run(second, "%alembic current")["error"] is None


SLOW_REVISION = '''
from pathlib import Path
Path("alembic/versions/001_slow.py").write_text(encoding="utf-8", data="""
from alembic import op
import sqlalchemy as sa
import time
from pathlib import Path

revision = "001_slow"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))
    Path("inside_upgrade").write_text("", encoding="utf-8")
    time.sleep(30)


def downgrade():
    op.drop_table("users")
""")
'''


def _interrupt_when_exists(marker, manager, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    manager.interrupt_kernel()


def test_kernel_interrupt_during_upgrade():
    with kernel() as (manager, client):
        assert run(client, START.format(extra=""))["error"] is None
        run(client, SLOW_REVISION)
        # Interrupt once the revision has created its table and sleeps: a fixed delay after
        # the cell is sent hit a loaded CI machine before create_table had run.
        marker = WORK_DIR / "90_two_kernels" / "inside_upgrade"
        marker.unlink(missing_ok=True)
        interrupter = threading.Thread(target=_interrupt_when_exists, args=(marker, manager))
        interrupter.start()
        started = time.monotonic()
        interrupted = run(client, "%alembic upgrade head")
        interrupter.join()
        assert time.monotonic() - started < 20
        assert interrupted["error"]["ename"] == "CommandInterrupted"
        text = interrupted["text"]
        assert "Running upgrade  -> 001_slow" in text, "Alembic's INFO lines are kept"
        assert "+ таблица users" in text, "the diff of what the database holds now"
        assert "Ядро → Прервать" in text and "изменена частично" in text
        assert "KeyboardInterrupt" not in "".join(interrupted["error"]["traceback"])
        assert run(client, "1 + 1")["error"] is None, "the kernel is alive"
