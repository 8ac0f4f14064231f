"""The IPython shell the course runs in (None in a plain Python process)."""

from __future__ import annotations


def get_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def register_magics() -> None:
    """Make %alembic available in the running shell (idempotent)."""
    shell = get_shell()
    if shell is not None:
        from lessonkit import load_ipython_extension

        load_ipython_extension(shell)
