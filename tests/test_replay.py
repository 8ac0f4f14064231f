"""start_lesson(..., upto=<section>) gives the files and the schema that running the lesson's
cells in order gives just before that section — for every section of every lesson — and shows
nothing but its welcome and its one-line summary. In a fresh kernel, the shortest form
(`from lessonkit import start_lesson; start_lesson("<lesson>", upto="<last section>")`) works
too: the lesson's first cell brings its imports, a lesson fixed to one database gets it."""

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


def execute(client, source: str, index: int = 0):
    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, index)
    return cell.outputs


def run(client, source: str, index: int = 0) -> str:
    """What the cell printed (its stream chunks joined as they came)."""
    outputs = execute(client, source, index)
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def jump(client, source: str) -> None:
    """Run a cell with upto=; of the replay it shows only the welcome box and the ⏩ summary
    (and the Lesson's short repr when the call is the cell's last expression)."""
    outputs = execute(client, source)
    printed = "print(" in source  # the cell's own print after start_lesson (a server version)
    noise = [
        o
        for o in outputs
        if o.output_type == "error"
        or (o.output_type == "stream" and (o.name == "stderr" or not printed))
    ]
    assert not noise, f"{source!r} showed {noise}"
    texts = [o.get("data", {}).get("text/plain", "") for o in outputs]
    assert any(t.startswith("⏩") for t in texts), texts
    assert not any("прочитайте сообщение Alembic выше" in t for t in texts)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_upto_rebuilds_the_state_before_each_section(path):
    notebook = nbformat.read(path, as_version=4)
    wanted = {section.cell: section.title for section in sections(notebook)}
    first_index, first = next((i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code")
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
        # The kernel is fresh: the shortest form, with the lesson's last section.
        last = sections(notebook)[-1].title
        jump(
            client,
            f"from lessonkit import start_lesson\nstart_lesson({path.stem!r}, upto={last!r})",
        )
        before_first = []  # headings above the first code cell: the state it leaves
        for index, cell in enumerate(notebook.cells):
            if index in wanted:
                if index < first_index:
                    before_first.append(wanted[index])
                else:
                    in_order[wanted[index]] = run(client, DIGEST)
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
            if index == first_index:
                in_order.update(dict.fromkeys(before_first, run(client, DIGEST)))
        for title, digest in in_order.items():
            jump(client, first_cell_with_upto(first.source, title))
            assert run(client, DIGEST) == digest, f"upto={title!r}"
