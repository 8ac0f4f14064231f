"""Find the course a kernel belongs to from where the kernel starts, then load its lessonkit.

Installed into the environment by tools/install_jupyter_config.py and named as the kernel
extension in ipython_kernel_config.py. One environment can serve many copies of the course: a
hub image shared by a class, each learner with a clone in their own home (nbgitpuller). Jupyter
starts a notebook's kernel in the notebook's folder, so walking up from the working directory
finds the learner's own clone: it goes first on sys.path (and on PYTHONPATH, for `!alembic` and
other Pythons the kernel starts), and that clone's lessonkit is the one loaded.

Standard library only: this file must work before it knows which course it belongs to.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

MARKERS = ("lessonkit/__init__.py", "lessons_src")  # what makes a folder a clone of the course
NOTE = (
    "Курс «Alembic на практике» не найден: ядро запущено в {cwd}, а ни в этой папке, ни выше "
    "нет копии курса (папок lessonkit/ и lessons_src/). Откройте ноутбук урока из папки "
    "notebooks/ курса — тогда в ядре будут %alembic и lessonkit."
)


def find_course(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds the course, or None."""
    for folder in (start, *start.parents):
        if all((folder / marker).exists() for marker in MARKERS):
            return folder
    return None


def put_first_on_path(root: Path) -> None:
    """The clone before anything else: before a .pth of another copy, before site-packages."""
    entry = str(root)
    sys.path[:] = [entry] + [p for p in sys.path if p != entry]
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([entry] + [p for p in inherited if p != entry])


def _stale_lessonkit(root: Path) -> bool:
    """lessonkit already imported from another copy (nothing should have, but say so)."""
    module = sys.modules.get("lessonkit")
    return module is not None and not Path(module.__file__).resolve().is_relative_to(root)


def _register_note(shell, note: str) -> None:
    """%alembic in a kernel without the course answers with the note instead of «not found»."""

    def alembic(line: str = "", cell: str | None = None) -> None:
        print(note, file=sys.stderr)

    shell.register_magic_function(alembic, "line", "alembic")


def load_ipython_extension(shell) -> None:
    cwd = Path.cwd().resolve()
    root = find_course(cwd)
    if root is not None:
        put_first_on_path(root)
        if _stale_lessonkit(root):
            for name in [n for n in sys.modules if n == "lessonkit" or n.startswith("lessonkit.")]:
                del sys.modules[name]
    try:
        shell.extension_manager.load_extension("lessonkit")
    except ModuleNotFoundError as exc:
        if exc.name != "lessonkit":  # lessonkit is there but broken: that traceback matters
            raise
        note = NOTE.format(cwd=cwd)
        print(note, file=sys.stderr)
        _register_note(shell, note)
