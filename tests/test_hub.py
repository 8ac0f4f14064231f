"""A class on one server: a real JupyterHub on this machine (tools/classroom.py), HUB_LEARNERS
learners (8 by default) working at the same time (tests/class_run.py). `make test-hub`, as root
on Linux; it makes local accounts and removes them again.

Asserts correctness only; bench/hub_bench.py measures the same run at 1, 4 and 8 learners."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.class_run import LESSONS, ClassReport, run_class
from tools import classroom

pytestmark = pytest.mark.hub
LEARNERS = int(os.environ.get("HUB_LEARNERS", "8"))


@pytest.fixture(scope="module")
def class_report() -> ClassReport:
    try:
        classroom.require_root()
    except classroom.ClassroomError as error:
        pytest.skip(str(error))
    report = run_class(LEARNERS)
    print(summary(report))
    return report


def summary(report: ClassReport) -> str:
    lines = [f"{len(report.learners)} учащихся, {report.seconds:.0f} с"]
    for learner in report.learners:
        diffs = [run.first_diff_seconds() for run in learner.runs.values()]
        shown = ", ".join(f"{d:.1f} с" if d is not None else "—" for d in diffs)
        lines.append(
            f"  {learner.name}: сервер {learner.server_seconds:.1f} с, первое «до → после» {shown}"
        )
    return "\n".join(lines)


def test_every_learner_got_a_server_and_the_course(class_report):
    for learner in class_report.learners:
        assert learner.error == "", learner.error
        assert learner.locale == "ru_RU", "the Russian UI comes from the image"
        assert learner.runs.keys() == set(LESSONS)


def test_every_kernel_loads_its_own_learners_lessonkit(class_report):
    for learner in class_report.learners:
        clone = learner.home / classroom.COURSE_FOLDER
        assert Path(learner.lessonkit_file) == clone / "lessonkit" / "__init__.py"
        assert Path(learner.pgdata).is_relative_to(learner.home / ".cache")
        # the image's server config: kernels on Unix sockets, no TCP ports to collide
        assert learner.kernel_transport == "ipc"


def test_every_lesson_runs_as_designed_and_its_checks_pass_with_the_solutions(class_report):
    for learner in class_report.learners:
        for lesson, run in learner.runs.items():
            assert run.cells, f"{learner.name} {lesson}: no cell ran"
            for cell in run.cells:
                expected = "error" if "raises-exception" in cell.tags else "ok"
                assert cell.status == expected, (
                    f"{learner.name} {lesson} {cell.cell_id}: {cell.text[-600:]}"
                )
            checks = [cell for cell in run.cells if "check" in cell.tags]
            assert len(checks) >= 3, f"{learner.name} {lesson}: the lesson ran to its end"
            for cell in checks:
                assert "✅" in cell.text and "❌" not in cell.text, (
                    learner.name,
                    lesson,
                    cell.text,
                )
            assert run.first_diff_seconds() is not None


def test_progress_is_recorded_in_each_learners_own_work_and_the_instructor_sees_the_class(
    class_report,
):
    for learner in class_report.learners:
        checks = [r for r in learner.progress if r["event"] == "check"]
        done = {(r["lesson"], r["exercise"]) for r in checks if r["ok"]}
        assert done == {(lesson, n) for lesson in LESSONS for n in (1, 2, 3)}, learner.progress
        assert {r["user"] for r in learner.progress} == {learner.name}
        assert learner.progress_owner == learner.name
    table = class_report.class_progress
    assert f"Группа: {len(class_report.learners)} учащихся" in table, table
    for learner in class_report.learners:
        row = next(line for line in table.splitlines() if line.startswith(learner.name))
        assert row.count("✅3/3") == len(LESSONS), row


def test_no_learner_reaches_anothers_database_or_files(class_report):
    assert class_report.tcp_listeners == [], "PostgreSQL listens on a Unix socket only"
    for learner in class_report.learners:
        # the probe itself works: on their own server and work/ it gets in
        assert learner.own_access.get("postgres") == "connected", learner.own_access
        assert "progress.jsonl" in learner.own_access.get("work", []), learner.own_access
        # on the next learner's: refused
        assert "Permission denied" in learner.trespass.get("postgres", ""), learner.trespass
        assert learner.trespass.get("work", "").startswith("PermissionError"), learner.trespass
        assert "progress" not in learner.trespass
        assert learner.foreign_http in (403, 404), "the hub refuses their token elsewhere"


def test_every_embedded_server_stops_when_its_learners_kernels_end(class_report):
    for learner in class_report.learners:
        assert learner.postgres_alive_after == [], learner.name
        assert learner.postgres_stop_seconds is not None
