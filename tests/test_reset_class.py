"""`course.py reset-class` (tools/reset_class.py) on a throw-away clone, never on this one:
what learners added under notebooks/ is listed and removed (names with spaces and Cyrillic
letters too), the notebooks are checked out again, work/ goes, and in instructor/ only what
the build made goes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from lessonkit.core.paths import REPO_ROOT

# Learners' additions as JupyterLab makes them, and a learner's edit of a lesson.
ADDED = [
    "notebooks/06_manual_table-Copy1.ipynb",
    "notebooks/Untitled.ipynb",
    "notebooks/мои заметки.md",
    "notebooks/.ipynb_checkpoints/06_manual_table-checkpoint.ipynb",
    "notebooks/черновик/Untitled1.ipynb",
]


@pytest.fixture
def clone(tmp_path):
    """A clone of this repository in a folder with a space and Cyrillic letters, with the
    working copy's reset tool (what is being tested, committed or not)."""
    root = tmp_path / "курс клон"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(root)], check=True)
    for name in ("tools/reset_class.py", "tools/build_notebooks.py"):
        shutil.copy(REPO_ROOT / name, root / name)
    return root


def reset(root, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, str(root / "tools" / "reset_class.py"), *arguments],
        capture_output=True,
        encoding="utf-8",
        check=True,
    )
    return done.stdout


@pytest.mark.heavy
@pytest.mark.slow
def test_reset_class_lists_and_removes_what_learners_added(clone):
    for name in ADDED:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text("{}", encoding="utf-8")
    lesson = clone / "notebooks" / "06_manual_table.ipynb"
    original = lesson.read_bytes()
    lesson.write_text("saved with outputs", encoding="utf-8")
    (clone / "work" / "06_manual_table").mkdir(parents=True)
    instructor = clone / "instructor"
    instructor.mkdir()
    (instructor / "06_manual_table.ipynb").write_text("{}", encoding="utf-8")
    (instructor / ".built-notebooks.json").write_text(
        json.dumps(["06_manual_table.ipynb"]), encoding="utf-8"
    )
    (instructor / "план занятия.ipynb").write_text("{}", encoding="utf-8")

    listed = reset(clone, "--dry-run")
    for name in ("06_manual_table-Copy1.ipynb", "Untitled.ipynb", "мои заметки.md"):
        assert f"notebooks/{name}" in listed, listed
    assert "notebooks/.ipynb_checkpoints/" in listed and "notebooks/черновик/" in listed
    assert "instructor/план занятия.ipynb" in listed
    assert all((clone / name).exists() for name in ADDED), "--dry-run removes nothing"

    reset(clone)
    assert not any((clone / name).exists() for name in ADDED)
    assert not (clone / "notebooks" / "черновик").exists()
    assert lesson.read_bytes() == original
    assert not (clone / "work").exists()
    assert not (instructor / "06_manual_table.ipynb").exists()
    assert (instructor / "план занятия.ipynb").exists(), "the instructor's own notebook stays"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],
        cwd=clone,
        capture_output=True,
        encoding="utf-8",
        check=True,
    ).stdout
    assert [line for line in status.splitlines() if "notebooks" in line or "work" in line] == []
