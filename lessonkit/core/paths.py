"""Where the course lives on disk: the repository root and the git-ignored work/ folder.

Paths may hold spaces and any letters («C:\\Users\\Ivan Petrov\\Мои курсы»): nothing here
or below passes a path through a shell or splits it."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
# Everything the course writes goes below WORK_DIR; the rest of the tree stays as git has it.
WORK_DIR = REPO_ROOT / "work"
# Folders outside the clone (the PostgreSQL data folder) a printed text must not show: set
# by the site build, so its pages hold nothing of the machine that built them.
ENV_MASK = "COURSE_MASK_PATHS"


def sandbox_dir(lesson: str) -> Path:
    return WORK_DIR / lesson


def is_inside_work(path: Path) -> bool:
    """True for a path strictly below work/ — the only place a reset may delete."""
    try:
        Path(path).resolve().relative_to(WORK_DIR.resolve())
    except ValueError:
        return False
    return Path(path).resolve() != WORK_DIR.resolve()


def shorten_paths(text: str) -> str:
    """Print repository paths relative to its root, as a learner sees them in the file browser.

    Alembic prints absolute paths; they differ from machine to machine and bury the part
    that matters (work/02_revisions/alembic/versions/...).
    """
    root = str(REPO_ROOT) + os.sep
    # A PostgreSQL URL carries the socket folder %-encoded (host=%2Fwork%2F...).
    text = text.replace(root, "").replace(quote(root, safe=""), "")
    masked = os.environ.get(ENV_MASK)
    if masked:  # the site build: nothing of the builder's machine on a page
        for path in masked.split(os.pathsep):
            text = text.replace(path, "<…>").replace(quote(path, safe=""), "<…>")
    return text
