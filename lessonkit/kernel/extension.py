"""What a kernel gets when it loads the course: %alembic, %sql, a guarded %%writefile, short
errors from helpers and libraries, and a safe place to wait for the lesson's first cell."""

from __future__ import annotations

from lessonkit.cli import reproducible
from lessonkit.core.shell import get_shell
from lessonkit.kernel.magics import LessonMagics
from lessonkit.lesson.sandbox import park_new_kernel
from lessonkit.view import short_errors


def load_ipython_extension(shell) -> None:
    """%load_ext lessonkit — also done by the course's IPython config and by importing it."""
    if "alembic" not in shell.magics_manager.magics["line"]:
        shell.register_magics(LessonMagics)
        short_errors.install(shell)  # a helper's or a library's error in a few lines
        park_new_kernel(shell)
        if reproducible.active():
            reproducible.enable()


def register_magics() -> None:
    """Make %alembic available in the running shell (idempotent)."""
    shell = get_shell()
    if shell is not None:
        load_ipython_extension(shell)
