"""An exercise as its notebook has it: the cells that set it up, the collapsed solution.

The lesson's notebook is the one source: the cells between the heading «### Задание N» and the
cell tagged ``exercise`` set the exercise up (the first of them returns to the checkpoint), and
the N-th cell tagged ``solution`` holds the course's answer in its ```python block. The test
suite reads exercises through the same function, so what a check replays is what it tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from lessonkit.core.errors import CourseError
from lessonkit.lesson.replay import NOTEBOOKS

HEADING = re.compile(r"^###\s+Задание\s+(\d+)", re.M)
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
KINDS = ("apply", "fix", "predict")


@dataclass(frozen=True)
class SetupCell:
    source: str
    fails_on_purpose: bool


@dataclass(frozen=True)
class ExerciseSpec:
    lesson: str
    number: int
    kind: str | None
    setup: tuple[SetupCell, ...]  # from the heading to the exercise cell
    solution: str
    exercise_index: int  # the exercise cell's index in the notebook

    @property
    def label(self) -> str:
        return f"задание {self.number}"


def code_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a solution (or of a file of answers), each one whole."""
    return [block.strip() + "\n" for block in CODE_BLOCK.findall(markdown)]


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def exercises_of(notebook, lesson: str = "") -> list[ExerciseSpec]:
    """Every exercise of a notebook, in order."""
    found = []
    heading_at = None
    solutions = [c for c in notebook.cells if "solution" in tags(c)]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and HEADING.search(cell.source):
            heading_at = index
        if "exercise" not in tags(cell):
            continue
        start = heading_at + 1 if heading_at is not None else index
        setup = tuple(
            SetupCell(c.source, "raises-exception" in tags(c))
            for c in notebook.cells[start:index]
            if c.cell_type == "code"
        )
        number = len(found) + 1
        blocks = code_blocks(solutions[number - 1].source) if number <= len(solutions) else []
        kind = next((k for k in KINDS if k in tags(cell)), None)
        found.append(ExerciseSpec(lesson, number, kind, setup, blocks[0] if blocks else "", index))
    return found


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int):
    return nbformat.read(path, as_version=4)


def exercise_spec(lesson: str, number: int) -> ExerciseSpec:
    path = NOTEBOOKS / f"{lesson}.ipynb"
    if not path.is_file():
        raise CourseError(f"ноутбука урока {lesson} нет в notebooks/: проверке не с чем сравнить.")
    found = exercises_of(_read(path, path.stat().st_mtime_ns), lesson)
    if not 1 <= number <= len(found):
        raise CourseError(f"в уроке {lesson} нет задания {number} (их {len(found)}).")
    return found[number - 1]
