"""Execute lesson notebooks the way a learner's "Restart & Run All" does: a fresh kernel,
top to bottom, stopping at any error except in cells tagged raises-exception."""

from __future__ import annotations

import copy
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lessonkit.core.paths import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
SOLUTION_CODE = re.compile(r"```python\n(.*?)```", re.S)


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


def tagged(notebook, tag: str) -> list:
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


KINDS = ("apply", "fix", "predict")
WRONG_ANSWERS = Path(__file__).resolve().parent / "wrong_answers"


@dataclass
class Exercise:
    """One exercise of a notebook: the cell the learner fills in, the cells that check it,
    the collapsed solution (the n-th solution belongs to the n-th exercise)."""

    number: int
    cell: object
    checks: list = field(default_factory=list)
    solution: str = ""

    @property
    def kind(self) -> str | None:
        return next((k for k in KINDS if k in self.cell.metadata.get("tags", [])), None)

    def verdicts(self) -> str:
        return "\n".join(text_of(cell) for cell in self.checks)


def exercises(notebook) -> list[Exercise]:
    found: list[Exercise] = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "exercise" in tags:
            found.append(Exercise(len(found) + 1, cell))
        elif "check" in tags and found:
            found[-1].checks.append(cell)
    solutions = tagged(notebook, "solution")
    for exercise, solution in zip(found, solutions, strict=False):
        exercise.solution = code_blocks(solution.source)[0] if code_blocks(solution.source) else ""
    return found


def code_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a solution or of a wrong-answers file, each one whole."""
    return [block.strip() + "\n" for block in SOLUTION_CODE.findall(markdown)]


def with_solution(notebook):
    """The notebook with each exercise cell replaced by the code of its collapsed solution."""
    for exercise in exercises(notebook):
        exercise.cell.source = exercise.solution
    return notebook


@dataclass(frozen=True)
class WrongAnswer:
    title: str  # what is wrong in it, e.g. «пустой downgrade()»
    code: str


def wrong_answers(stem: str) -> dict[int, list[WrongAnswer]]:
    """tests/wrong_answers/<notebook>.md: under «## Задание N», each «### what is wrong» with
    its ```python block is a plausible wrong answer to exercise N (its check must say ❌)."""
    path = WRONG_ANSWERS / f"{stem}.md"
    if not path.is_file():
        return {}
    answers: dict[int, list[WrongAnswer]] = {}
    for section in re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        number = int(re.match(r"Задание (\d+)", section).group(1))
        answers[number] = [
            WrongAnswer(title.strip(), code_blocks(body)[0])
            for title, body in re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", section, re.M | re.S)
            if code_blocks(body)
        ]
    return answers


def with_wrong_answers(notebook, stem: str, round_: int):
    """Each exercise gets its ``round_``-th wrong answer (the others stay unsolved)."""
    answers = wrong_answers(stem)
    for exercise in exercises(notebook):
        given = answers.get(exercise.number, [])
        if round_ < len(given):
            exercise.cell.source = given[round_].code
    return notebook


def execute(
    path: Path,
    solved: bool = False,
    backend: str | None = None,
    timeout: int = 300,
    wrong_round: int | None = None,
):
    """Run the notebook in a new kernel; returns the executed notebook (outputs filled in).
    wrong_round: put that round of the wrong answers into the exercise cells."""
    answers = "solved" if solved else wrong_round if wrong_round is not None else "unsolved"
    (notebook,) = execute_in_one_kernel(path, [answers], backend=backend, timeout=timeout)
    return notebook


def execute_in_one_kernel(
    path: Path,
    passes: list[str | int],
    backend: str | None = None,
    timeout: int = 300,
) -> list:
    """Run All once per item of ``passes`` in one new kernel, without a restart (what a learner
    does who runs the lesson again from the top). Each item says what the exercise cells hold:
    "unsolved" (as in the notebook), "solved", or the number of a round of wrong answers.
    Returns the notebook after each pass."""
    original = nbformat.read(path, as_version=4)
    client = NotebookClient(
        copy.deepcopy(original),
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    executed = []
    with environment(COURSE_DB=backend), client.setup_kernel():
        for answers in passes:
            notebook = copy.deepcopy(original)
            if answers == "solved":
                with_solution(notebook)
            elif isinstance(answers, int):
                with_wrong_answers(notebook, path.stem, answers)
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    # Raises CellExecutionError on an error, unless tagged raises-exception.
                    client.execute_cell(cell, index)
            executed.append(notebook)
    return executed


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
