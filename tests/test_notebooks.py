"""Every notebook learners open runs top to bottom: again and again in one kernel (Run All
without a restart), with each round of wrong answers; in fresh kernels with the collapsed
solutions (its checks pass), on PostgreSQL and on DuckDB unless it is about one database, and
in order while test_replay.py compares upto= with it. The git tree is untouched."""

from __future__ import annotations

import itertools
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from lessonkit.checks.predictions import AUTHOR_MISTAKE
from lessonkit.core.paths import REPO_ROOT
from tests.conftest import git_status
from tests.notebook_runner import (
    NOTEBOOKS,
    errors_of,
    execute,
    execute_in_one_kernel,
    exercises,
    tagged,
    text_of,
    wrong_answers,
)
from tools.build_notebooks import SOURCES, build, is_heading_only

pytestmark = pytest.mark.notebooks
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def assert_ran_as_designed(notebook, solved: bool) -> None:
    for cell in tagged(notebook, "raises-exception"):
        assert errors_of(cell), f"tagged raises-exception but did not fail:\n{cell.source}"
    for cell in notebook.cells:
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors_of(cell), cell.source
        assert AUTHOR_MISTAKE not in text_of(cell), (
            f"a prediction's expected answer is wrong:\n{cell.source}"
        )
    for exercise in exercises(notebook):
        verdicts = exercise.verdicts()
        assert verdicts, f"exercise {exercise.number} has a check cell with a verdict"
        if solved:
            assert "✅" in verdicts and "❌" not in verdicts, (exercise.number, verdicts)
        else:
            assert "❌" in verdicts, f"unsolved exercise {exercise.number} passed its check"


@pytest.fixture(scope="module")
def clean_tree():
    before = git_status()
    yield
    assert git_status() == before, "running the notebooks changed files tracked by git"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_runs_again_in_one_kernel_with_each_set_of_answers(path, clean_tree):
    """Run All, then Run All again and again without a restart, each time with the next round
    of the plausible wrong answers kept in tests/wrong_answers/ (twice unsolved when there are
    none): the lesson runs as designed every time, and every wrong answer gets ❌. Then
    «Restart & Run All»: a new kernel over the sandbox those runs left behind."""
    answers = wrong_answers(path.stem)
    rounds = list(range(max((len(given) for given in answers.values()), default=0)))
    runs = execute_in_one_kernel(path, ["unsolved", *(rounds or ["unsolved"])])
    assert_ran_as_designed(runs[0], solved=False)
    for round_, notebook in zip(rounds or [None], runs[1:], strict=True):
        assert_ran_as_designed(notebook, solved=False)
        for exercise in exercises(notebook):
            if round_ is not None and round_ < len(answers.get(exercise.number, [])):
                assert "❌" in exercise.verdicts(), (exercise.number, round_, exercise.verdicts())
    assert_ran_as_designed(execute(path), solved=False)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_solution_passes_the_check(path, clean_tree):
    assert_ran_as_designed(execute(path, solved=True), solved=True)


def pins_its_database(path) -> bool:
    """start_lesson(..., fixed_db=True): the lesson is about one database, COURSE_DB is ignored."""
    return "fixed_db=True" in path.read_text(encoding="utf-8")


FOLLOWS_COURSE_DB = [p for p in LESSONS if not pins_its_database(p)]


def first_code_output(notebook) -> str:
    return text_of(next(c for c in notebook.cells if c.cell_type == "code"))


@pytest.mark.postgres
@pytest.mark.parametrize("path", FOLLOWS_COURSE_DB, ids=lambda p: p.stem)
def test_runs_on_postgres(path, clean_tree):
    notebook = execute(path, backend="postgres")
    assert_ran_as_designed(notebook, solved=False)
    assert "PostgreSQL" in first_code_output(notebook)


@pytest.mark.parametrize("path", FOLLOWS_COURSE_DB, ids=lambda p: p.stem)
def test_runs_on_duckdb_with_the_solution(path, clean_tree):
    notebook = execute(path, backend="duckdb", solved=True)
    assert_ran_as_designed(notebook, solved=True)
    assert "DuckDB" in first_code_output(notebook)


def test_every_lesson_source_has_a_notebook_in_sync():
    done = subprocess.run(
        [sys.executable, "tools/build_notebooks.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
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
