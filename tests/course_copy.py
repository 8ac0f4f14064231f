"""Another copy of the course, as a second learner's clone: what a kernel started in it sees."""

from __future__ import annotations

import shutil
from pathlib import Path

from lessonkit.core.paths import REPO_ROOT

PARTS = ("lessonkit", "lessons_src", "notebooks", "app")


def copy_course(parent: Path) -> Path:
    """The course's code and lessons under ``parent`` (a path with a space and Cyrillic
    letters, as «Мои курсы» would be), without work/ or .venv/."""
    copy = parent / "Мой курс" / "alembic-na-praktike"
    for folder in PARTS:
        shutil.copytree(REPO_ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__py*"))
    return copy
