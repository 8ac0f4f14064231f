"""Generate the notebooks from lessons_src/*.md (MyST Markdown, read by jupytext).

    python tools/build_notebooks.py               # learner notebooks: notebooks/
    python tools/build_notebooks.py --check       # exit 1 if a notebook differs from its source
    python tools/build_notebooks.py lessons_src/06_manual_table.md   # just these
    python tools/build_notebooks.py --instructor  # instructor notebooks: instructor/ (ignored)
    python tools/build_notebooks.py --instructor --out=DIR   # …into another folder

One source, two builds. Learner notebooks leave out the cells tagged ``instructor``; instructor
notebooks show them, framed, and open with the lesson's timings. Both have the same code cells,
so they run alike, and both carry slide metadata for RISE: a ``##`` heading starts a slide, a
``###`` heading a sub-slide, solutions and instructor notes are left out of the slides.

Notebooks come out without outputs, with cell ids derived from the lesson and the cell's
position (the same source always gives the same file), and without jupytext's pairing
metadata: a learner saving a notebook in JupyterLab must not rewrite lessons_src/.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons_src"
NOTEBOOKS = ROOT / "notebooks"
INSTRUCTOR_NOTEBOOKS = ROOT / "instructor"
MANIFEST = ".built-notebooks.json"  # what the instructor build wrote (it removes nothing else)

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
INSTRUCTOR = "instructor"  # cells for the instructor only: never in a learner's notebook
TIMINGS = ("teaching", "exercises")  # minutes, in the lesson's front matter (Carpentries keys)
NOT_ON_SLIDES = {INSTRUCTOR, "solution"}
NOTE_FRAME = (
    '<div style="border-left:6px solid #8250df;background:#f6f0ff;color:#24292f;'
    'padding:2px 14px;margin:4px 0">\n\n**🧑‍🏫 Инструктору**\n\n{}\n\n</div>'
)


def slide_type(cell) -> str:
    tags = set(cell.metadata.get("tags", []))
    if tags & NOT_ON_SLIDES:
        return "skip"
    if cell.cell_type == "markdown":
        first = cell.source.lstrip()
        if first.startswith(("# ", "## ")):
            return "slide"
        if first.startswith("### "):
            return "subslide"
    return "-"


def is_heading_only(cell) -> bool:
    lines = [x for x in cell.source.strip().splitlines() if x.strip()]
    return cell.cell_type == "markdown" and len(lines) == 1 and lines[0].startswith("#")


LIGHT_CODE = re.compile(r"^\s*\w+\.(restore|checkpoint)\([^()]*\)\s*$")


def is_light(cell) -> bool:
    """A cell with a one-line answer (an exercise's check, a checkpoint) stays on the slide of
    the cell before it."""
    return "check" in cell.metadata.get("tags", []) or bool(LIGHT_CODE.match(cell.source))


def slide_types(cells: list) -> list[str]:
    """A slide must fit a 1280×800 projector, and no slide is a bare title.

    Headings start slides (##) and sub-slides (###). Within a section, every code cell after
    the first starts a sub-slide of its own, so a slide holds one command with its output (long
    outputs scroll inside it: notebooks/rise.css); an exercise's check and a checkpoint stay
    with the cell before them. The prose between two code cells goes with
    the next one when it introduces it (ends with «:»), else it stays with the output it
    explains. A heading alone on its slide («## Практика» before «### Первая ячейка») takes the
    next heading onto the same slide."""
    kinds = [slide_type(cell) for cell in cells]
    shown = [i for i, k in enumerate(kinds) if k != "skip"]
    code_on_slide = False
    for position, index in enumerate(shown):
        cell, kind = cells[index], kinds[index]
        if kind in ("slide", "subslide"):
            code_on_slide = False
        if cell.cell_type != "code" or is_light(cell):
            continue
        if code_on_slide:
            before = shown[position - 1]
            intro = cells[before].cell_type == "markdown" and kinds[before] == "-"
            if intro and cells[before].source.rstrip().endswith(":"):
                kinds[before] = "subslide"
            else:
                kinds[index] = "subslide"
        code_on_slide = True
    for position, index in enumerate(shown[:-1]):
        following = shown[position + 1]
        bare = kinds[index] in ("slide", "subslide") and is_heading_only(cells[index])
        if bare and kinds[following] == "subslide" and cells[following].source.startswith("#"):
            kinds[following] = "-"
    return kinds


def split_at_headings(cells: list) -> list:
    """Every ##/### heading starts a cell (a slide or a sub-slide), and a solution ends with
    its </details>: in MyST the prose that follows them without a `+++` would otherwise stay in
    the same cell. The pieces after the first are not part of the solution. Fenced code is
    never split."""
    out = []
    for cell in cells:
        if cell.cell_type != "markdown":
            out.append(cell)
            continue
        pieces, current, fenced = [], [], False
        for line in cell.source.split("\n"):
            if line.startswith("```"):
                fenced = not fenced
            heading = line.startswith(("## ", "### "))
            if not fenced and heading and any(s.strip() for s in current):
                pieces.append(current)
                current = []
            current.append(line)
            if not fenced and line.strip() == "</details>":
                pieces.append(current)
                current = []
        pieces.append(current)
        for number, lines in enumerate(p for p in pieces if "".join(p).strip()):
            piece = nbformat.v4.new_markdown_cell("\n".join(lines).strip("\n"))
            piece.metadata = copy.deepcopy(dict(cell.metadata))
            if number and "solution" in piece.metadata.get("tags", []):
                piece.metadata["tags"] = [t for t in piece.metadata["tags"] if t != "solution"]
                if not piece.metadata["tags"]:
                    del piece.metadata["tags"]
            out.append(piece)
    return out


def timing_line(timings: dict) -> str:
    teaching, exercises = timings.get("teaching", "?"), timings.get("exercises", "?")
    return (
        f"**Версия для инструктора.** ⏱ Подача — {teaching} мин, задания — {exercises} мин. "
        "Заметки для вас выделены рамкой; учащиеся их не видят."
    )


def build(source: Path, instructor: bool = False) -> str:
    """The notebook of ``source``, for learners or (instructor=True) for the instructor."""
    notebook = jupytext.read(source, fmt="md:myst")
    timings = {key: notebook.metadata[key] for key in TIMINGS if key in notebook.metadata}
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        **({"course": timings} if timings else {}),
    }
    notebook.cells = split_at_headings(notebook.cells)
    if instructor:
        for cell in notebook.cells:
            if INSTRUCTOR in cell.metadata.get("tags", []):
                cell.source = NOTE_FRAME.format(cell.source)
        header = nbformat.v4.new_markdown_cell(timing_line(timings))
        header.metadata["tags"] = [INSTRUCTOR]
        notebook.cells.insert(1, header)
    else:
        notebook.cells = [
            cell for cell in notebook.cells if INSTRUCTOR not in cell.metadata.get("tags", [])
        ]
    lesson = source.stem.split("_", 1)[0]
    kinds = slide_types(notebook.cells)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"l{lesson}-{index:03d}"
        cell.metadata["slideshow"] = {"slide_type": kinds[index]}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(check: bool, only: list[str], instructor: bool, out: Path | None = None) -> int:
    stale = []
    target_dir = out or (INSTRUCTOR_NOTEBOOKS if instructor else NOTEBOOKS)
    target_dir.mkdir(exist_ok=True)
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.md"))
    if only:
        sources = [s for s in sources if s.name in {Path(o).name for o in only}]
    written = []
    for source in sources:
        target = target_dir / (source.stem + ".ipynb")
        text = build(source, instructor)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(shown(target))
        else:
            target.write_text(text, encoding="utf-8")
            written.append(target.name)
    if instructor:
        if not check:
            shutil.copy(NOTEBOOKS / "rise.css", target_dir / "rise.css")  # RISE reads it here
            written.append("rise.css")
            update_manifest(target_dir, written, partial=bool(only))
    else:
        everything = {s.stem for s in SOURCES.glob("[0-9][0-9]_*.md")}
        orphans = {p.stem for p in target_dir.glob("*.ipynb")} - everything
        stale += [f"{target_dir.name}/{name}.ipynb (нет исходника)" for name in sorted(orphans)]
    if stale:
        print("Ноутбуки расходятся с lessons_src/ — выполните `python course.py notebooks`:")
        print("\n".join(f"  {path}" for path in stale))
        return 1
    if not check:
        print(f"Собрано ноутбуков: {len(sources)} → {shown(target_dir)}/")
    return 0


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def update_manifest(folder: Path, written: list[str], partial: bool) -> None:
    """instructor/ is where `lab-instructor` opens JupyterLab, so «Файл → Создать» puts the
    instructor's own notebooks there. The build lists what it wrote in MANIFEST and, of the
    files it made before, removes only those no source makes any more; everything else in the
    folder is the instructor's and stays."""
    manifest = folder / MANIFEST
    before = set(json.loads(manifest.read_text(encoding="utf-8"))) if manifest.exists() else set()
    now = set(written) | (before if partial else set())
    for name in sorted(before - now):
        (folder / name).unlink(missing_ok=True)
        print(f"Удалён устаревший ноутбук сборки: {shown(folder / name)}")
    manifest.write_text(json.dumps(sorted(now), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    out = next((Path(a.split("=", 1)[1]) for a in arguments if a.startswith("--out=")), None)
    sys.exit(
        main(
            "--check" in arguments,
            [a for a in arguments if not a.startswith("--")],
            "--instructor" in arguments,
            out,
        )
    )
