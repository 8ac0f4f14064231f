"""start_lesson(..., upto=<section>) gives the files and the schema that running the lesson's
cells in order gives just before that section — for every section of every lesson."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from lessonkit.lesson.replay import first_cell_with_upto, sections
from tests.notebook_runner import NOTEBOOKS, environment

pytestmark = pytest.mark.notebooks
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
DIGEST = (
    "from lessonkit.lesson.replay import state_digest as _d\n"
    "from lessonkit.lesson.state import active_lesson as _a\n"
    "print(_d(_a()))"
)


def run(client, source: str, index: int = 0) -> str:
    """What the cell printed (its stream chunks joined as they came)."""
    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, index)
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_upto_rebuilds_the_state_before_each_section(path):
    notebook = nbformat.read(path, as_version=4)
    wanted = {section.cell: section.title for section in sections(notebook)}
    first = next(c for c in notebook.cells if c.cell_type == "code")
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    in_order: dict[str, str] = {}
    # Reproducible mode: `alembic revision` without --rev-id names revisions the same way in
    # the in-order run and in the replay (see lessonkit/reproducible.py).
    with environment(COURSE_DB=None, COURSE_REPRODUCIBLE="1"), client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if index in wanted:
                in_order[wanted[index]] = run(client, DIGEST)
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        for title, digest in in_order.items():
            run(client, first_cell_with_upto(first.source, title))
            assert run(client, DIGEST) == digest, f"upto={title!r}"
