"""Checkpoints of a lesson: its sandbox files and database, kept and brought back by name.

A lesson keeps one before its exercises (``lesson.checkpoint("задания")``), and every exercise
starts with ``lesson.restore("задания")``: it begins from the same state whether the exercise
before it was solved, skipped or got wrong, and a learner who got lost in an exercise starts it
again by running that cell. Files are copied to work/.checkpoints/<lesson>/ (outside the
sandbox, so show_tree() does not list them); a file database travels with the files, a
PostgreSQL one is copied with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from lessonkit.core.errors import CourseError
from lessonkit.core.paths import WORK_DIR
from lessonkit.core.portable import remove_tree
from lessonkit.lesson.sql_connection import connect_sql, disconnect_sql

ROOT = WORK_DIR / ".checkpoints"


def _tag(name: str) -> str:
    """A name fit for a folder and a PostgreSQL database, whatever the language of ``name``."""
    return "cp_" + hashlib.sha256(name.encode()).hexdigest()[:10]


def _folder(lesson, name: str) -> Path:
    return ROOT / lesson.name / _tag(name)


def save(lesson, name: str) -> None:
    folder = _folder(lesson, name)
    disconnect_sql()  # the database file or the template must not be in use
    try:
        remove_tree(folder)
        lesson.backend.dispose()
        shutil.copytree(lesson.sandbox, folder, symlinks=True)
        lesson.backend.keep_copy(_tag(name))
    finally:
        connect_sql(lesson.backend)


def stamp(lesson, name: str) -> int | None:
    """When the checkpoint ``name`` was last saved (None: never): a cache of what was computed
    from it (an exercise check's starting point) is valid while the stamp stays."""
    folder = _folder(lesson, name)
    return folder.stat().st_mtime_ns if folder.is_dir() else None


def restore(lesson, name: str) -> None:
    folder = _folder(lesson, name)
    if not folder.is_dir():
        raise CourseError(
            f'точки «{name}» у урока нет: её создаёт ячейка с lesson.checkpoint("{name}").',
            hint="выполните урок по порядку от первой ячейки до этой.",
        )
    disconnect_sql()
    try:
        lesson.backend.dispose()
        for child in lesson.sandbox.iterdir():  # the folder itself stays: the kernel stands in it
            if child.is_dir() and not child.is_symlink():
                remove_tree(child)
            else:
                child.unlink()
        shutil.copytree(folder, lesson.sandbox, symlinks=True, dirs_exist_ok=True)
        lesson.backend.bring_back_copy(_tag(name))
    finally:
        connect_sql(lesson.backend)


def forget(lesson_name: str, backend) -> None:
    """Drop every checkpoint of a lesson (its reset)."""
    remove_tree(ROOT / lesson_name)
    backend.forget_copies()
