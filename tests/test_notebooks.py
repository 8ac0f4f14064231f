"""Every notebook learners open runs as designed, every way a learner runs it.

On SQLite (make test): Run All in a new kernel, every check ❌, the state recorded before every
section; a second kernel over the sandbox left behind («Restart & Run All») starts with
start_lesson(..., upto=<last section>), whose replay must be quiet and give the same state
before every section, then runs all cells again with the solutions (every check ✅; the
same-kernel re-run). On PostgreSQL and DuckDB (lessons that follow COURSE_DB): Run All with the
solutions. The answer sets (make test-slow, run by .ci/run): each exercise alone from its
checkpoint with each wrong answer (❌), each right answer and the solution (✅) on SQLite; on
PostgreSQL and DuckDB too with make test-all. The git tree is untouched.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from lessonkit.checks.predictions import AUTHOR_MISTAKE
from lessonkit.core.paths import REPO_ROOT
from lessonkit.lesson.replay import sections
from tests.conftest import git_status
from tests.notebook_runner import (
    NOTEBOOKS,
    LessonKernel,
    errors_of,
    exercises,
    right_answers,
    tagged,
    tags_of,
    text_of,
    verdicts,
    wrong_answers,
)
from tools.build_notebooks import SOURCES, build, is_heading_only

pytestmark = pytest.mark.notebooks
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def pins_its_database(path) -> bool:
    """start_lesson(..., fixed_db=True): the lesson is about one database, COURSE_DB is ignored."""
    return "fixed_db=True" in path.read_text(encoding="utf-8")


FOLLOWS_COURSE_DB = [p for p in LESSONS if not pins_its_database(p)]


def assert_ran_as_designed(notebook, solved: bool) -> None:
    for cell in tagged(notebook, "raises-exception"):
        assert errors_of(cell), f"tagged raises-exception but did not fail:\n{cell.source}"
    for cell in notebook.cells:
        if cell.cell_type == "code" and "raises-exception" not in tags_of(cell):
            assert not errors_of(cell), cell.source
        assert AUTHOR_MISTAKE not in text_of(cell), (
            f"the course's expectation is wrong:\n{cell.source}"
        )
    for exercise in exercises(notebook):
        shown = verdicts(exercise.cells(notebook))
        assert shown, f"exercise {exercise.number} has a check cell with a verdict"
        if solved:
            assert "✅" in shown and "❌" not in shown, (exercise.number, shown)
        else:
            assert "❌" in shown, f"unsolved exercise {exercise.number} passed its check"


def assert_answers_judged(kernel: LessonKernel, stem: str) -> int:
    """Each exercise alone, from its checkpoint: wrong answers ❌, right ones and the solution
    ✅. Returns how many answers ran."""
    wrong, right = wrong_answers(stem), right_answers(stem)
    count = 0
    for exercise in exercises(kernel.notebook):
        for answer in wrong.get(exercise.number, []):
            if kernel.backend in answer.not_on:
                continue
            cells = kernel.run_exercise(exercise, answer.code, may_fail=True)
            shown = verdicts(cells)
            assert "❌" in shown and AUTHOR_MISTAKE not in shown, (
                exercise.number,
                answer.title,
                shown,
            )
            count += 1
        for answer in [*right.get(exercise.number, []), None]:
            if answer is not None and kernel.backend in answer.not_on:
                continue
            code = exercise.solution if answer is None else answer.code
            title = "the solution" if answer is None else answer.title
            cells = kernel.run_exercise(exercise, code, may_fail=False)
            shown = verdicts(cells)
            assert "✅" in shown and "❌" not in shown, (exercise.number, title, shown)
            for cell in cells:
                if "raises-exception" not in tags_of(cell):
                    assert not errors_of(cell), (exercise.number, title, cell.source)
            count += 1
    return count


@pytest.fixture(scope="module")
def clean_tree():
    before = git_status()
    yield
    assert git_status() == before, "running the notebooks changed files tracked by git"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_every_way_on_sqlite(path, clean_tree):
    # Run All in a new kernel: every check ❌; the state before each section is recorded.
    with LessonKernel(path, backend="sqlite", COURSE_REPRODUCIBLE="1") as kernel:
        notebook, in_order = kernel.run_all(digests=True)
        assert_ran_as_designed(notebook, solved=False)
    # «Restart & Run All» over the sandbox left behind, the first thing being upto= to the last
    # section: quiet, and the state before every section it passed as in the in-order run.
    # Then Run All with the solutions in the same kernel (every check ✅): the same-kernel
    # re-run of every cell the replay ran.
    with LessonKernel(path, backend="sqlite", COURSE_REPRODUCIBLE="1") as kernel:
        last = sections(kernel.notebook)[-1].title
        replayed, shown = kernel.upto_digests(last)
        assert_jump_is_quiet(shown)
        for title, digest in in_order.items():
            if title == last:
                break
            assert replayed.get(title) == digest, f"upto={title!r} differs from the in-order run"
        assert_ran_as_designed(kernel.run_all(solved=True), solved=True)


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_answers_on_sqlite(path, clean_tree):
    """make test-slow (.ci/run): each exercise alone, from its checkpoint, with every wrong
    answer (❌), every right answer and the solution (✅)."""
    with LessonKernel(path, backend="sqlite") as kernel:
        assert_ran_as_designed(kernel.run_all(), solved=False)
        assert assert_answers_judged(kernel, path.stem) > 0 or not exercises(kernel.notebook)


@pytest.mark.postgres
@pytest.mark.parametrize("path", FOLLOWS_COURSE_DB, ids=lambda p: p.stem)
def test_lesson_on_postgres(path, clean_tree):
    """Every cell on PostgreSQL, with the solutions: each check ✅ there too."""
    with LessonKernel(path, backend="postgres") as kernel:
        notebook = kernel.run_all(solved=True)
        assert_ran_as_designed(notebook, solved=True)
        assert "PostgreSQL" in first_code_output(notebook)


@pytest.mark.parametrize("path", FOLLOWS_COURSE_DB, ids=lambda p: p.stem)
def test_lesson_on_duckdb(path, clean_tree):
    with LessonKernel(path, backend="duckdb") as kernel:
        notebook = kernel.run_all(solved=True)
        assert_ran_as_designed(notebook, solved=True)
        assert "DuckDB" in first_code_output(notebook)


@pytest.mark.slow
@pytest.mark.exhaustive
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres", "duckdb"])
@pytest.mark.parametrize("path", FOLLOWS_COURSE_DB, ids=lambda p: p.stem)
def test_answers_on_the_other_databases(path, backend, clean_tree):
    """make test-all only: every wrong and right answer also on PostgreSQL and DuckDB."""
    with LessonKernel(path, backend=backend) as kernel:
        assert_ran_as_designed(kernel.run_all(), solved=False)
        assert_answers_judged(kernel, path.stem)


def assert_jump_is_quiet(outputs) -> None:
    """Of the replay, the jump shows only the welcome box and the ⏩ summary (and the Lesson's
    short repr): no error block, no printed output, no hint about a message it hid."""
    noise = [o for o in outputs if o.output_type in ("error", "stream")]
    assert not noise, noise
    texts = [o.get("data", {}).get("text/plain", "") for o in outputs]
    assert any(text.startswith("⏩") for text in texts), texts
    assert not any("прочитайте сообщение Alembic выше" in text for text in texts)


def first_code_output(notebook) -> str:
    return text_of(next(c for c in notebook.cells if c.cell_type == "code"))


def test_every_lesson_source_has_a_notebook_in_sync():
    done = subprocess.run(
        [sys.executable, "tools/build_notebooks.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("source", sorted(SOURCES.glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_instructor_notebook_runs_the_same_code_and_shows_the_notes(source):
    learner = nbformat.reads(build(source), as_version=4)
    instructor = nbformat.reads(build(source, instructor=True), as_version=4)

    def code(notebook):
        return [c.source for c in notebook.cells if c.cell_type == "code"]

    assert code(instructor) == code(learner)
    assert not tagged(learner, "instructor"), "no instructor note in a learner notebook"
    notes = tagged(instructor, "instructor")
    assert all("Инструктору" in n.source or "Версия для инструктора" in n.source for n in notes)


def test_slides_follow_the_headings():
    notebook = nbformat.reads(build(SOURCES / "06_manual_table.md"), as_version=4)
    kinds = {
        cell.source.split("\n")[0]: cell.metadata["slideshow"]["slide_type"]
        for cell in notebook.cells
    }
    assert kinds["## Практика"] == "slide"
    assert kinds["### Первая ячейка"] == "-", "no slide holds a bare title"
    assert kinds["### Задание 2 · применить"] == "subslide"
    assert kinds["%alembic upgrade head"] == "subslide", "each command on a sub-slide of its own"
    assert all(
        c.metadata["slideshow"]["slide_type"] == "skip" for c in tagged(notebook, "solution")
    )


@pytest.mark.parametrize("source", sorted(SOURCES.glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_no_slide_is_a_bare_title(source):
    """A slide that is only a heading («Практика») takes what follows onto it."""
    notebook = nbformat.reads(build(source), as_version=4)
    shown = [c for c in notebook.cells if c.metadata["slideshow"]["slide_type"] != "skip"]
    for cell, following in itertools.pairwise(shown):
        starts = cell.metadata["slideshow"]["slide_type"] in ("slide", "subslide")
        if starts and is_heading_only(cell):
            assert following.metadata["slideshow"]["slide_type"] == "-", cell.source


def test_notebooks_are_committed_without_outputs():
    for path in LESSONS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
            assert cell.id.startswith(f"l{path.stem[:2]}-")


def test_magic_in_a_fresh_kernel_before_the_first_cell():
    """Kernel restarted, a middle cell run first: a Russian message, not a NameError."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%alembic current")])
    notebook.cells[0].metadata["tags"] = ["raises-exception"]
    NotebookClient(
        notebook, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    (error,) = errors_of(notebook.cells[0])
    assert error.ename == "LessonNotStarted"
    assert "первую ячейку" in error.evalue
