"""Execute lesson notebooks the way learners do, in real kernels (nbclient).

A ``LessonKernel`` is one kernel on one lesson: Run All (as the notebook is, or with the
collapsed solutions in the exercise cells), and one exercise alone from its checkpoint with a
given answer — what a learner does who starts an exercise again. A cell that fails stops the
run (CellExecutionError) unless it is tagged raises-exception, as in JupyterLab.
"""

from __future__ import annotations

import copy
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lessonkit.checks.oracle.spec import code_blocks, exercises_of
from lessonkit.core.paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
ANSWERS = Path(__file__).resolve().parent
KINDS = ("apply", "fix", "predict")
EXERCISE_HEADING = re.compile(r"^###\s+Задание\s+\d+", re.M)
SECTION_HEADING = re.compile(r"^##\s", re.M)


def _set_env(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


@contextmanager
def environment(**values: str | None):
    """Environment variables for the kernels started inside the block (None: unset)."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            _set_env(key, value)
        yield
    finally:
        for key, value in saved.items():
            _set_env(key, value)


def tags_of(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def tagged(notebook, tag: str) -> list:
    return [cell for cell in notebook.cells if tag in tags_of(cell)]


@dataclass
class Exercise:
    """One exercise of a notebook as the tests see it: its block of cells (from its heading
    to the next heading), the exercise cell, its check cells, the solution."""

    number: int
    kind: str | None
    block: tuple[int, int]  # [start, end) cell indexes, the heading excluded
    cell_index: int  # the exercise cell
    solution: str

    def cells(self, notebook) -> list:
        return notebook.cells[self.block[0] : self.block[1]]


def exercises(notebook) -> list[Exercise]:
    found = []
    for spec in exercises_of(notebook):
        start = spec.exercise_index
        while start > 0 and not (
            notebook.cells[start - 1].cell_type == "markdown"
            and EXERCISE_HEADING.search(notebook.cells[start - 1].source)
        ):
            start -= 1
        end = spec.exercise_index + 1
        while end < len(notebook.cells) and not (
            notebook.cells[end].cell_type == "markdown"
            and (
                EXERCISE_HEADING.search(notebook.cells[end].source)
                or SECTION_HEADING.search(notebook.cells[end].source)
            )
        ):
            end += 1
        found.append(Exercise(spec.number, spec.kind, (start, end), spec.exercise_index,
                              spec.solution))  # fmt: skip
    return found


def with_solution(notebook):
    """The notebook with each exercise cell replaced by the code of its collapsed solution (a
    learner who solved every exercise: the hub and progress tests send it cell by cell)."""
    for exercise in exercises(notebook):
        notebook.cells[exercise.cell_index].source = exercise.solution
    return notebook


def verdicts(cells) -> str:
    """What the check cells among ``cells`` showed."""
    return "\n".join(text_of(c) for c in cells if "check" in tags_of(c))


@dataclass(frozen=True)
class Answer:
    title: str  # what is in it, e.g. «пустой downgrade()»
    code: str
    # Databases the answer does not run on, from a line «Не на: DuckDB — why» under the title:
    # a wrong answer the database cannot tell from the solution (DuckDB keeps no VARCHAR
    # length), a right one written in another database's SQL.
    not_on: frozenset[str] = frozenset()


NOT_ON = re.compile(r"^Не на: ([^—\n]+)", re.M)
DATABASE_NAMES = {"sqlite": "sqlite", "postgresql": "postgres", "duckdb": "duckdb"}  # as written


def _not_on(body: str) -> frozenset[str]:
    found = NOT_ON.search(body)
    if not found:
        return frozenset()
    names = (name.strip().casefold() for name in found.group(1).split(","))
    return frozenset(DATABASE_NAMES[name] for name in names)


def answers(stem: str, kind: str) -> dict[int, list[Answer]]:
    """tests/<kind>_answers/<notebook>.md: under «## Задание N», each «### title» with its
    ```python block is an answer to exercise N (wrong: its check must say ❌; right: ✅)."""
    path = ANSWERS / f"{kind}_answers" / f"{stem}.md"
    if not path.is_file():
        return {}
    found: dict[int, list[Answer]] = {}
    text = path.read_text(encoding="utf-8")
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        number = int(re.match(r"Задание (\d+)", section).group(1))
        found[number] = [
            Answer(title.strip(), code_blocks(body)[0], _not_on(body))
            for title, body in re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", section, re.M | re.S)
            if code_blocks(body)
        ]
    return found


def wrong_answers(stem: str) -> dict[int, list[Answer]]:
    return answers(stem, "wrong")


def right_answers(stem: str) -> dict[int, list[Answer]]:
    return answers(stem, "right")


DIGEST_HOOK = """
import json as _json
from lessonkit.lesson import replay as _replay
_digests = {}
def _record(lesson, title):
    _digests[title] = _replay.state_digest(lesson)
_replay.SECTION_HOOK = _record
"""


class LessonKernel:
    """One kernel of one lesson (the notebook's folder as working directory, as in Lab)."""

    def __init__(self, path: Path, backend: str | None = None, timeout: int = 300, **env):
        self.path = path
        self.backend = backend or "sqlite"
        self.notebook = nbformat.read(path, as_version=4)
        self.env = {"COURSE_DB": backend, **env}
        self.client = NotebookClient(
            copy.deepcopy(self.notebook),
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        self._context = None

    def __enter__(self):
        self._environment = environment(**self.env)
        self._environment.__enter__()
        self._context = self.client.setup_kernel()
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            self._context.__exit__(*exc)
        finally:
            self._environment.__exit__(*exc)

    def execute(self, cell, index: int = 0):
        """Run one cell; raises CellExecutionError on an error unless raises-exception."""
        self.client.execute_cell(cell, index)
        return cell

    def run_source(self, source: str) -> str:
        """Run code in the kernel (not a lesson cell) and return what it printed."""
        cell = nbformat.v4.new_code_cell(source)
        self.client.execute_cell(cell, 0)
        return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")

    def run_all(self, solved: bool = False, digests: bool = False):
        """Run All; returns the executed notebook (and, with ``digests``, the state digest
        before each section, computed in the kernel)."""
        notebook = copy.deepcopy(self.notebook)
        if solved:
            for exercise in exercises(notebook):
                notebook.cells[exercise.cell_index].source = exercise.solution
        starts = _section_starts(notebook) if digests else {}
        in_order = {}
        first_code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
        for index, cell in enumerate(notebook.cells):
            if index in starts and index > first_code:
                in_order[starts[index]] = self.digest()
            if cell.cell_type == "code":
                self.execute(cell, index)
            if index == first_code:  # headings above the first code cell: the state it leaves
                state = self.digest() if digests else ""
                in_order.update({t: state for i, t in starts.items() if i < first_code})
        return (notebook, in_order) if digests else notebook

    def digest(self) -> str:
        return self.run_source(
            "from lessonkit.lesson import replay as _r, state as _s\n"
            "print(_r.state_digest(_s.active_lesson()))"
        ).removesuffix("\n")

    def run_exercise(self, exercise: Exercise, code: str, may_fail: bool) -> list:
        """The exercise alone, from its first cell (the return to the checkpoint), with
        ``code`` in the exercise cell; returns the executed cells of its block."""
        cells = copy.deepcopy(exercise.cells(self.notebook))
        for offset, cell in enumerate(cells):
            index = exercise.block[0] + offset
            if cell.cell_type != "code":
                continue
            if index == exercise.cell_index:
                cell.source = code
                if may_fail:  # a wrong answer may fail as it runs; its check must still say ❌
                    cell.metadata.setdefault("tags", []).append("raises-exception")
            self.execute(cell, index)
        return cells

    def upto_digests(self, title: str) -> tuple[dict[str, str], list]:
        """In this (fresh) kernel, the shortest jump a learner types —
        `from lessonkit import start_lesson; start_lesson("<lesson>", upto=title)` — recording
        the state before each section the replay passes. Returns the states and what the
        jump's cell showed."""
        self.run_source(DIGEST_HOOK)
        cell = nbformat.v4.new_code_cell(
            f"from lessonkit import start_lesson\nstart_lesson({self.path.stem!r}, upto={title!r})"
        )
        self.client.execute_cell(cell, 0)
        return json.loads(self.run_source("print(_json.dumps(_digests))")), cell.outputs


def _section_starts(notebook) -> dict[int, str]:
    from lessonkit.lesson.replay import sections

    return {section.cell: section.title for section in sections(notebook)}


def text_of(cell) -> str:
    """Everything a cell showed, as plain text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("display_data", "execute_result"):
            parts.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "\n".join(parts)


def errors_of(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]
