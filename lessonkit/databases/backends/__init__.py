"""The three lesson databases behind one interface (see base.Backend)."""

from __future__ import annotations

import os
from pathlib import Path

from lessonkit.core.errors import CourseError
from lessonkit.databases.backends.base import Backend
from lessonkit.databases.backends.files import DuckDBBackend, SQLiteBackend
from lessonkit.databases.backends.postgres import PostgresBackend

BACKENDS: dict[str, type[Backend]] = {
    "sqlite": SQLiteBackend,
    "postgres": PostgresBackend,
    "duckdb": DuckDBBackend,
}
ALIASES = {"postgresql": "postgres", "pg": "postgres", "sqlite3": "sqlite"}
# Lets the test suite (or an instructor) run any lesson on another backend.
ENV_OVERRIDE = "COURSE_DB"


def choose_backend_name(requested: str, fixed: bool = False) -> str:
    """The backend a lesson gets: COURSE_DB wins, unless the lesson is about ``requested``."""
    name = requested if fixed else (os.environ.get(ENV_OVERRIDE) or requested)
    name = ALIASES.get(name.lower(), name.lower())
    if name not in BACKENDS:
        raise CourseError(
            f"неизвестная база данных «{name}».",
            hint="выберите одну из: " + ", ".join(BACKENDS) + ".",
        )
    return name


def make_backend(requested: str, lesson: str, sandbox: Path, fixed: bool = False) -> Backend:
    return BACKENDS[choose_backend_name(requested, fixed)](lesson, sandbox)
