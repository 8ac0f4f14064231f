"""How much each lesson weighs against the limits of a sitting (make stats).

python tools/lesson_stats.py [notebooks/07_1_*.ipynb ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lesson_format import (  # noqa: E402
    MAX_CODE_CELLS,
    MAX_WORDS,
    code_cells,
    long_paragraphs,
    prose_words,
)
from tests.notebook_runner import exercises  # noqa: E402

if __name__ == "__main__":
    paths = [Path(a) for a in sys.argv[1:]] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    print(
        f"{'урок':32} ячеек кода (≤{MAX_CODE_CELLS})  слов (≤{MAX_WORDS})  заданий  длинных абзацев"
    )
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        kinds = "".join(sorted(e.kind[0] for e in exercises(notebook) if e.kind))
        print(
            f"{path.stem:32} {len(code_cells(notebook)):>17}  {prose_words(notebook):>12}"
            f"  {len(exercises(notebook)):>3} {kinds:<4}  {len(long_paragraphs(notebook)):>6}"
        )
