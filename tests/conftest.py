"""Shared fixtures: an IPython shell for the magic, a lesson on each backend, the PG server."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from lessonkit import postgres
from lessonkit.paths import REPO_ROOT, WORK_DIR

BACKENDS = ["sqlite", "postgres", "duckdb"]


@pytest.fixture(scope="session")
def shell():
    """A real (terminal-less) IPython shell with %alembic and %sql, as in a kernel."""
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.display_formatter.active_types = ["text/plain", "text/html"]  # as a Jupyter kernel does
    import lessonkit

    lessonkit.load_ipython_extension(ip)
    return ip


@pytest.fixture(scope="session")
def pg_admin_url() -> sa.URL:
    """The course server (embedded, or DATABASE_URL): started once for the whole run."""
    return postgres.admin_url()


@pytest.fixture
def make_lesson(shell, monkeypatch):
    """start_lesson() for a throw-away lesson name, closed after the test."""
    from lessonkit import sandbox, session

    monkeypatch.delenv("COURSE_DB", raising=False)
    started = []

    def make(name: str = "90_test", db: str = "sqlite", start: str = "project"):
        lesson = sandbox.start_lesson(name, db=db, start=start)
        started.append(lesson)
        return lesson

    yield make
    for lesson in started:
        lesson.close()
    session.set_active(None)


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


__all__ = ["BACKENDS", "WORK_DIR", "git_status"]
