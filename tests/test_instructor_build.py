"""`course.py instructor` (tools/build_notebooks.py --instructor) replaces what it built and
removes only what it built and no source makes any more: the instructor's own notebooks in
instructor/ (where `lab-instructor` opens JupyterLab) stay."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lessonkit.core.paths import REPO_ROOT
from tools.build_notebooks import MANIFEST


def build(out, *only: str) -> None:
    subprocess.run(
        [sys.executable, "tools/build_notebooks.py", "--instructor", f"--out={out}", *only],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )


@pytest.mark.heavy
@pytest.mark.slow
def test_the_build_never_deletes_what_it_did_not_make(tmp_path):
    out = tmp_path / "папка инструктора"
    build(out)
    lessons = sorted(p.name for p in (REPO_ROOT / "lessons_src").glob("[0-9][0-9]_*.md"))
    built = sorted(p.name for p in out.glob("*.ipynb"))
    assert built == [name.replace(".md", ".ipynb") for name in lessons]
    assert (out / "rise.css").read_bytes() == (REPO_ROOT / "notebooks" / "rise.css").read_bytes()

    # The instructor's own files, an edited built notebook, and one the build made for a
    # lesson that no longer exists.
    own = {
        "Untitled.ipynb": "{}",
        "мои заметки.md": "план",
        "группа 2/разбор.ipynb": "{}",
    }
    for name, text in own.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    (out / "06_manual_table.ipynb").write_text("edited", encoding="utf-8")
    (out / "98_removed.ipynb").write_text("{}", encoding="utf-8")
    manifest = out / MANIFEST
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps([*listed, "98_removed.ipynb"]), encoding="utf-8")

    build(out)
    for name, text in own.items():
        assert (out / name).read_text(encoding="utf-8") == text, name
    assert not (out / "98_removed.ipynb").exists(), "a stale notebook of the build goes"
    assert (out / "06_manual_table.ipynb").read_text(encoding="utf-8") != "edited"
    assert "98_removed.ipynb" not in json.loads(manifest.read_text(encoding="utf-8"))


@pytest.mark.heavy
@pytest.mark.slow
def test_a_partial_build_keeps_the_rest_of_its_list(tmp_path):
    build(tmp_path)
    before = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    build(tmp_path, "lessons_src/06_manual_table.md")
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8")) == before
    assert len(list(tmp_path.glob("*.ipynb"))) == len(before) - 1  # rise.css is listed too
