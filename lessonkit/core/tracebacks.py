"""An exception as a learner should read it: its real message without library noise, and its
full traceback as text with paths that say nothing of the machine it ran on."""

from __future__ import annotations

import os
import re
import sysconfig
import traceback
from pathlib import Path
from types import TracebackType

from lessonkit.core.paths import shorten_paths

# SQLAlchemy ends every error with a link to its FAQ, the same for every error of a kind.
BACKGROUND = re.compile(r"\n?\(Background on this error at: [^)]*\)")
# The statement and parameters SQLAlchemy appends; the full traceback keeps them.
STATEMENT = re.compile(r"\n\[(SQL|parameters): .*", re.S)
# Where a database driver lives → the database a learner knows it by.
DRIVERS = {"sqlite3": "SQLite", "psycopg": "PostgreSQL", "duckdb": "DuckDB"}


def without_background(text: str) -> str:
    return BACKGROUND.sub("", text)


def database_of(error: BaseException) -> str | None:
    """«PostgreSQL» for an error the database itself returned (through SQLAlchemy), else None."""
    original = getattr(error, "orig", None)
    if original is None or not isinstance(original, Exception):
        return None
    package = type(original).__module__.split(".")[0]
    return DRIVERS.get(package, package)


def error_name(error: BaseException) -> str:
    """The name a learner searches for: the driver's own (UniqueViolation), not the wrapper's."""
    original = getattr(error, "orig", None)
    return type(original if isinstance(original, Exception) else error).__name__


def message_of(error: BaseException) -> str:
    """The error's own words: a database's message with its DETAIL and HINT lines, without
    SQLAlchemy's wrapping (driver class, the statement, the link)."""
    original = getattr(error, "orig", None)
    text = str(original) if isinstance(original, Exception) else str(error)
    text = STATEMENT.sub("", without_background(text)).strip()
    return shorten_paths(text) or type(error).__name__


def _installation_paths() -> list[tuple[str, str]]:
    """Folders of this Python installation → how a traceback names them."""
    paths = sysconfig.get_paths()
    named = [(paths.get("purelib"), "<site-packages>"), (paths.get("stdlib"), "<python>")]
    named += [(paths.get("platlib"), "<site-packages>"), (paths.get("platstdlib"), "<python>")]
    named.append((str(Path.home()), "~"))
    # The longest first: site-packages lies inside the standard library's folder on Linux.
    return sorted({(p, n) for p, n in named if p}, key=lambda item: -len(item[0]))


def from_the_cell(tb: TracebackType | None, cells: dict[str, str]) -> TracebackType | None:
    """The traceback from the cell's own frame on (IPython's frames above it say nothing)."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename not in cells:
        start = start.tb_next
    return start or tb


def traceback_text(error: BaseException, cells: dict[str, str] | None = None) -> str:
    """The full traceback, as Python prints it, from the cell's frame on: repository paths
    relative to its root, the Python installation's paths shortened, a cell's file named as
    the cell (``cells``: file name → «ячейка [7]»)."""
    cells = cells or {}
    tb = from_the_cell(error.__traceback__, cells)
    text = without_background("".join(traceback.format_exception(type(error), error, tb)))
    for filename, name in cells.items():
        text = text.replace(f'"{filename}"', name).replace(filename, name)
    text = shorten_paths(text)
    for folder, name in _installation_paths():
        text = text.replace(folder.rstrip(os.sep) + os.sep, name + "/")
    return text
