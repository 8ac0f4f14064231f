"""Progress: every check a learner sees is recorded in their own work/, with its exercise found
from the notebook (the cell's id, as JupyterLab sends it, or the cell's source, as nbclient
runs it); progress() and `course.py progress` / `class-progress` show the tables.

The kernels run in a copy of the course (tests/course_copy.py): its work/progress.jsonl is the
test's own, whatever else runs in parallel."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from lessonkit.core.paths import REPO_ROOT
from lessonkit.lesson.progress import read_records
from lessonkit.lesson.replay import first_cell_with_upto
from lessonkit.view import progress as view
from tests.course_copy import copy_course
from tests.notebook_runner import with_solution

LESSON = "02_revisions"
KINDS_02 = {1: "predict", 2: "apply", 3: "fix"}


def run_notebook(course: Path, solved: bool) -> None:
    notebook = nbformat.read(course / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    if solved:
        with_solution(notebook)
    client = NotebookClient(
        copy.deepcopy(notebook),
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(course / "notebooks")}},
    )
    client.execute()


def checks(course: Path) -> list[dict]:
    records = read_records(course / "work" / "progress.jsonl")
    return [r for r in records if r["event"] == "check"]


@pytest.mark.notebooks
def test_a_lesson_run_records_each_exercise_and_the_tables_show_it(tmp_path):
    course = copy_course(tmp_path)
    run_notebook(course, solved=False)
    run_notebook(course, solved=True)
    records = read_records(course / "work" / "progress.jsonl")
    assert [r["event"] for r in records].count("start") == 2
    unsolved, solved = checks(course)[:3], checks(course)[3:]
    for batch, ok in ((unsolved, False), (solved, True)):
        assert [(r["exercise"], r["kind"], r["ok"]) for r in batch] == [
            (n, KINDS_02[n], ok) for n in (1, 2, 3)
        ]
        assert {r["lesson"] for r in batch} == {LESSON}
    assert set(records[0]) == {"time", "user", "event", "lesson"}, "nothing else about anyone"
    # the learner's table, from the terminal (course.py progress runs this tool)
    shown = subprocess.run(
        [sys.executable, "tools/progress.py", "progress", "--work", str(course / "work")],
        cwd=REPO_ROOT,
        capture_output=True,
        encoding="utf-8",
        check=True,
    ).stdout
    assert "заданий выполнено 3 из 3" in shown
    row = next(line for line in shown.splitlines() if line.startswith(LESSON))
    assert "✅ предсказать" in row and "✅ применить" in row and "✅ исправить" in row


def execute_with_cell_id(client, code: str, cell_id: str | None) -> dict:
    """What JupyterLab sends: the cell's id in the request's metadata."""
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}}
    message = client.session.msg(
        "execute_request", content, metadata={"cellId": cell_id} if cell_id else {}
    )
    client.shell_channel.send(message)
    while True:  # replies to earlier requests (kernel_info) may come first
        reply = client.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == message["header"]["msg_id"]:
            return reply["content"]


@pytest.mark.notebooks
def test_the_cell_id_finds_the_exercise_and_a_replay_records_nothing(tmp_path):
    course = copy_course(tmp_path)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(course / "notebooks"))
    try:
        # upto= runs the lesson's cells quietly, its check cells too: none of them is recorded
        notebook = nbformat.read(course / "notebooks" / f"{LESSON}.ipynb", as_version=4)
        first = next(c.source for c in notebook.cells if c.cell_type == "code")
        replayed = execute_with_cell_id(client, first_cell_with_upto(first, "Итоги"), None)
        assert replayed["status"] == "ok", replayed
        assert checks(course) == []
        # the apply check, edited by the learner: only its id still says which exercise it is
        check_cell = next(c for c in notebook.cells if c.get("id") == "l02-056")
        code = check_cell.source + "  # ?"
        assert execute_with_cell_id(client, code, "l02-056")["status"] == "ok"
        assert execute_with_cell_id(client, code, None)["status"] == "ok"
        # the source alone, as nbclient runs a cell: the unedited check
        assert execute_with_cell_id(client, code.removesuffix("  # ?"), None)["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    found = [(r["exercise"], r["kind"], r["ok"]) for r in checks(course)]
    assert found == [(2, "apply", False), (None, None, False), (2, "apply", False)]


def write_records(work: Path, user: str, records: list[tuple]) -> None:
    work.mkdir(parents=True)
    start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    lines = []
    for minute, event, lesson, exercise, ok in records:
        line = {"time": (start + dt.timedelta(minutes=minute)).isoformat(), "user": user}
        line |= {"event": event, "lesson": lesson}
        if event == "check":
            line |= {"exercise": exercise, "kind": KINDS_02.get(exercise), "ok": ok}
        lines.append(json.dumps(line, ensure_ascii=False))
    (work / "progress.jsonl").write_text("\n".join(lines) + "\n{broken", encoding="utf-8")


@pytest.mark.heavy
def test_time_per_lesson_leaves_out_pauses_and_the_class_table_reads_every_home(tmp_path):
    homes = tmp_path / "home"
    write_records(
        homes / "anna" / "alembic-na-praktike" / "work",
        "anna",
        [
            (0, "start", LESSON, None, None),
            (20, "check", LESSON, 1, False),
            (25, "check", LESSON, 1, True),
            (40, "check", LESSON, 2, True),
            (24 * 60, "check", LESSON, 3, True),  # the next day: the night is not counted
            (24 * 60 + 5, "start", "14_1_enum_column", None, None),
        ],
    )
    write_records(
        homes / "boris" / "alembic-na-praktike" / "work",
        "boris",
        [(0, "start", LESSON, None, None), (10, "check", LESSON, 1, False)],
    )
    (homes / "someone-else").mkdir()  # a home without the course: not a learner
    learners, unreadable = view.find_learners(homes, "alembic-na-praktike")
    assert [learner.name for learner in learners] == ["anna", "boris"] and unreadable == []
    anna = learners[0].lessons[LESSON]
    assert anna.passed == {1, 2, 3} and anna.seconds == 40 * 60
    assert learners[1].lessons[LESSON].tried == {1} and learners[1].lessons[LESSON].done == 0
    table = view.class_table(learners)
    assert table.header == ("учащийся", LESSON, "14_1_enum_column", "всего")
    assert table.rows[0] == ("anna", "✅3/3 · 40 мин", "0/3 · —", "3 · 40 мин")
    assert table.rows[1] == ("boris", "0/3 · 10 мин", "—", "0 · 10 мин")
    shown = subprocess.run(
        [sys.executable, "tools/progress.py", "class-progress", "--homes", str(homes)],
        cwd=REPO_ROOT,
        capture_output=True,
        encoding="utf-8",
    )
    assert shown.returncode == 0, shown.stderr
    assert "Группа: 2 учащихся" in shown.stdout and "✅3/3 · 40 мин" in shown.stdout


@pytest.mark.heavy
def test_class_progress_says_what_to_do_when_it_finds_no_course(tmp_path):
    shown = subprocess.run(
        [sys.executable, "tools/progress.py", "class-progress", "--homes", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        encoding="utf-8",
    )
    assert shown.returncode == 1
    assert "нет ни одной копии курса" in shown.stderr and "--homes" in shown.stderr
