"""Shared fixtures: an IPython shell for the magic, a lesson on each backend, the PG server."""

from __future__ import annotations

import subprocess

import pytest
import sqlalchemy as sa

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.databases import pg_server as postgres

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
def make_lesson(shell, monkeypatch, request):
    """start_lesson() for a throw-away lesson name, closed after the test.

    The default name is the test module's (90_magic for test_magic.py): modules run in
    parallel, each in its own sandboxes."""
    from lessonkit.lesson import sandbox
    from lessonkit.lesson import state as session

    monkeypatch.delenv("COURSE_DB", raising=False)
    started = []
    default = "90_" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    def make(name: str = default, db: str = "sqlite", start: str = "project"):
        lesson = sandbox.start_lesson(name, db=db, start=start)
        started.append(lesson)
        return lesson

    yield make
    for lesson in started:
        lesson.close()
    session.set_active(None)


def run_cell(shell, code):
    """Run a cell as the kernel would; return (captured output, exception raised in it)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(code)
    return captured, result.error_in_exec


def shown(captured) -> str:
    """The text of everything a cell displayed (rich outputs included), as a kernel sends it."""
    parts = [captured.stdout]
    parts += [output.data.get("text/plain", "") for output in captured.outputs]
    return "\n".join(parts)


def tree(folder):
    """Every file of the sandbox with its content, the database file aside."""
    return sorted(
        (str(p.relative_to(folder)), p.read_bytes() if p.is_file() else b"")
        for p in folder.rglob("*")
        if p.name != "lesson.db"
    )


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist (--dist loadgroup): every run of one notebook in one worker
    (they share its sandbox), every other test module in one worker (its lesson names)."""
    weights = {}
    for item in items:
        params = getattr(item, "callspec", None)
        notebook = params.params.get("path") if params else None
        group = notebook.stem if notebook is not None else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
        weights[item.nodeid] = _weight(notebook) if notebook is not None else _weight_of(item)
    # The heaviest groups first: a long notebook started last would run alone at the end.
    items.sort(key=lambda item: -weights[item.nodeid])


def _weight_of(item) -> int:
    """A test that runs a lesson in a kernel of its own (test_portability_*) weighs like one."""
    return 30 if item.get_closest_marker("notebooks") else 0


def _weight(notebook) -> int:
    """A rough cost of a notebook's runs: its code cells, more on the PostgreSQL lessons."""
    if notebook is None or not notebook.is_file():
        return 0
    text = notebook.read_text(encoding="utf-8")
    return text.count('"cell_type": "code"') + (15 if 'db=\\"postgres\\"' in text else 0)


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    ).stdout


__all__ = ["BACKENDS", "WORK_DIR", "git_status", "run_cell", "shown", "tree"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser download), for the browser tests."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
