"""The IPython shell the course runs in (None in a plain Python process)."""

from __future__ import annotations


def get_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
