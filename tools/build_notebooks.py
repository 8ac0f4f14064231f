"""Generate notebooks/*.ipynb from lessons_src/*.md (MyST Markdown, read by jupytext).

    python tools/build_notebooks.py          # write the notebooks
    python tools/build_notebooks.py --check  # exit 1 if a notebook differs from its source

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


def build(source: Path) -> str:
    notebook = jupytext.read(source, fmt="md:myst")
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    lesson = source.stem.split("_", 1)[0]
    for index, cell in enumerate(notebook.cells):
        cell.id = f"l{lesson}-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(check: bool) -> int:
    stale = []
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.md"))
    for source in sources:
        target = NOTEBOOKS / (source.stem + ".ipynb")
        text = build(source)
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text)
    orphans = {p.stem for p in NOTEBOOKS.glob("*.ipynb")} - {s.stem for s in sources}
    stale += [f"notebooks/{name}.ipynb (нет исходника)" for name in sorted(orphans)]
    if stale:
        print("Ноутбуки расходятся с lessons_src/ — выполните `make notebooks`:")
        print("\n".join(f"  {path}" for path in stale))
        return 1
    if not check:
        print(f"Собрано ноутбуков: {len(sources)}")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
