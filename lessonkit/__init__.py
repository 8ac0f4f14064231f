"""lessonkit — the toolkit the lessons of «Alembic на практике» import.

from lessonkit import start_lesson, check, edit_file, show_file, show_revision, show_tree
"""

from __future__ import annotations

from lessonkit import checks as check
from lessonkit import reproducible
from lessonkit.display import show_file, show_revision, show_tree
from lessonkit.edit import edit_file
from lessonkit.errors import CourseError
from lessonkit.graph import show_graph
from lessonkit.project import set_ini_option
from lessonkit.sandbox import Lesson, start_lesson
from lessonkit.session import active_lesson
from lessonkit.shell import register_magics

__all__ = [
    "CourseError",
    "Lesson",
    "active_lesson",
    "check",
    "edit_file",
    "load_ipython_extension",
    "set_ini_option",
    "show_file",
    "show_graph",
    "show_revision",
    "show_tree",
    "start_lesson",
]


def load_ipython_extension(shell) -> None:
    """%load_ext lessonkit — also done by the course's IPython config and by start_lesson."""
    from lessonkit.magic import LessonMagics
    from lessonkit.sandbox import park_new_kernel

    if "alembic" not in shell.magics_manager.magics["line"]:
        shell.register_magics(LessonMagics)
        park_new_kernel(shell)
        if reproducible.active():
            reproducible.enable()


# Importing lessonkit in a notebook makes %alembic available right away.
register_magics()
