"""Generate notebooks/*.ipynb from lessons_src/*.md (MyST Markdown, read by jupytext).

    python tools/build_notebooks.py          # write the notebooks
    python tools/build_notebooks.py --check  # exit 1 if a notebook differs from its source
    python tools/build_notebooks.py lessons_src/06_manual_table.md   # just these

Notebooks come out without outputs, with cell ids derived from the lesson and the cell's
position (the same source always gives the same file), and without jupytext's pairing
metadata: a learner saving a notebook in JupyterLab must not rewrite lessons_src/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons_src"
NOTEBOOKS = ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


INSTRUCTOR = "instructor"  # cells for the instructor only: never in a learner's notebook
TIMINGS = ("teaching", "exercises")  # minutes, in the lesson's front matter (Carpentries keys)


def build(source: Path, instructor: bool = False) -> str:
    """The notebook of ``source``: for learners without the instructor's cells; with
    instructor=True, with them (make instructor)."""
    notebook = jupytext.read(source, fmt="md:myst")
    timings = {key: notebook.metadata[key] for key in TIMINGS if key in notebook.metadata}
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        **({"course": timings} if timings else {}),
    }
    if not instructor:
        notebook.cells = [
            cell for cell in notebook.cells if INSTRUCTOR not in cell.metadata.get("tags", [])
        ]
    lesson = source.stem.split("_", 1)[0]
    for index, cell in enumerate(notebook.cells):
        cell.id = f"l{lesson}-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(check: bool, only: list[str]) -> int:
    stale = []
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.md"))
    if only:
        sources = [s for s in sources if s.name in {Path(o).name for o in only}]
    for source in sources:
        target = NOTEBOOKS / (source.stem + ".ipynb")
        text = build(source)
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text)
    everything = {s.stem for s in SOURCES.glob("[0-9][0-9]_*.md")}
    orphans = {p.stem for p in NOTEBOOKS.glob("*.ipynb")} - everything
    stale += [f"notebooks/{name}.ipynb (нет исходника)" for name in sorted(orphans)]
    if stale:
        print("Ноутбуки расходятся с lessons_src/ — выполните `make notebooks`:")
        print("\n".join(f"  {path}" for path in stale))
        return 1
    if not check:
        print(f"Собрано ноутбуков: {len(sources)}")
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(main("--check" in arguments, [a for a in arguments if not a.startswith("--")]))
