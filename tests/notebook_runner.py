"""Execute lesson notebooks the way a learner's "Restart & Run All" does: a fresh kernel,
top to bottom, stopping at any error except in cells tagged raises-exception."""

from __future__ import annotations

import copy
import os
import re
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lessonkit.paths import REPO_ROOT

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


def with_solution(notebook):
    """The notebook with the exercise cell replaced by the code of the collapsed solution."""
    (solution,) = tagged(notebook, "solution")
    code = "\n".join(block.strip() for block in SOLUTION_CODE.findall(solution.source))
    (exercise,) = tagged(notebook, "exercise")
    exercise.source = code
    return notebook


def execute(path: Path, solved: bool = False, backend: str | None = None, timeout: int = 300):
    """Run the notebook in a new kernel; returns the executed notebook (outputs filled in)."""
    (notebook,) = execute_in_one_kernel(
        path, passes=1, solved=solved, backend=backend, timeout=timeout
    )
    return notebook


def execute_in_one_kernel(
    path: Path,
    passes: int = 2,
    solved: bool = False,
    backend: str | None = None,
    timeout: int = 300,
) -> list:
    """Run All ``passes`` times in one new kernel, without a restart (what a learner does who
    runs the lesson again from the top); returns the notebook after each pass."""
    notebook = nbformat.read(path, as_version=4)
    if solved:
        with_solution(notebook)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    executed = []
    with environment(COURSE_DB=backend), client.setup_kernel():
        for _ in range(passes):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                    # Raises CellExecutionError on an error, unless tagged raises-exception.
                    client.execute_cell(cell, index)
            executed.append(copy.deepcopy(notebook))
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
