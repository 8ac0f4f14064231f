"""What Windows and macOS do differently, simulated on Linux (issue 15), in every `make test`.

* The course starts with POSIX-only modules and calls missing (fcntl, pwd; os.geteuid,
  os.sched_getaffinity), as on Windows and macOS.
* An open() without an encoding in the course's own code fails the suite.
* Windows' file rules (tests/windows_files.py): a database file with a connection open and a
  read-only file (git's objects) cannot be deleted; every reset, restore, check and switch_db
  of a lesson works under them.

The kernels under a CP1251 locale, in a folder with a space, over TCP: test_portability_*.py.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
import textwrap

import nbformat
import pytest

import course
from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.lesson import state as session
from lessonkit.lesson.replay import find_section
from tests.conftest import run_cell
from tests.notebook_runner import NOTEBOOKS
from tests.windows_files import available, windows_file_rules

# -- POSIX-only modules and calls -------------------------------------------------------------

# Run first in the child: the course's own modules (and this script) cannot import the POSIX-only
# modules, and os loses the calls Windows and macOS lack. Libraries keep their own imports:
# fasteners, for one, imports fcntl on Linux and msvcrt on Windows, by itself.
WITHOUT_POSIX = textwrap.dedent(
    """
    import builtins, os, sys
    POSIX_ONLY = {"fcntl", "pwd", "grp", "termios", "resource"}
    COURSE = {"lessonkit", "tools", "app", "course", "__main__"}
    _import = builtins.__import__

    def _import_as_on_windows(name, globals=None, locals=None, fromlist=(), level=0):
        importer = ((globals or {}).get("__name__") or "").split(".")[0]
        if level == 0 and name.split(".")[0] in POSIX_ONLY and importer in COURSE:
            raise ModuleNotFoundError(f"No module named {name!r} (as on Windows)", name=name)
        return _import(name, globals, locals, fromlist, level)

    builtins.__import__ = _import_as_on_windows
    for name in ("geteuid", "sched_getaffinity"):  # Windows has neither, macOS no affinity
        if hasattr(os, name):
            delattr(os, name)
    try:  # the simulation itself must bite
        exec("import fcntl", {"__name__": "lessonkit.probe"})
        raise SystemExit("fcntl is not blocked")
    except ModuleNotFoundError:
        pass
    """
)

A_LESSON = textwrap.dedent(
    """
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    import lessonkit

    lessonkit.load_ipython_extension(ip)
    import course
    import tools.check_setup, tools.labserver, tools.reset_class  # noqa: E401
    from lessonkit.core import portable

    def cell(code):
        error = ip.run_cell(code).error_in_exec
        if error is not None:
            raise error

    cell('from lessonkit import show_tree, start_lesson')
    cell('lesson = start_lesson("90_portability_posix", db="sqlite")')
    cell('%alembic revision -m "first" --rev-id 001_first')
    cell("%alembic upgrade head")
    cell("rows = %sql SELECT version_num FROM alembic_version")
    cell("show_tree()")
    cell("lesson.close()")
    assert ip.user_ns["rows"][0][0] == "001_first"
    print("workers", course.test_workers(), "cpus", portable.cpu_count())
    print("root", portable.is_root())
    print("lab", " ".join(course.lab_options([], "notebooks")))
    """
)


@pytest.mark.heavy
def test_the_course_starts_without_posix_only_modules_and_calls():
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_POSIX + A_LESSON],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={k: v for k, v in os.environ.items() if k not in ("COURSE_DB", "TEST_WORKERS")},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    workers = int(done.stdout.split("workers ")[1].split()[0])
    assert workers >= 2, "one worker per CPU plus one, without sched_getaffinity"
    assert "root False" in done.stdout, "no geteuid: not root (Windows has no root)"
    assert "--allow-root" not in done.stdout


# -- EncodingWarning as an error ---------------------------------------------------------------

PROBE = textwrap.dedent(
    """
    def _open_as(module, tmp_path):
        path = tmp_path / "x.txt"
        path.write_bytes(b"x")
        exec("open(path).read()", {"__name__": module, "path": path})

    def test_a_course_module(tmp_path):
        _open_as("lessonkit.probe", tmp_path)

    def test_a_tool(tmp_path):
        _open_as("tools.probe", tmp_path)

    def test_a_library(tmp_path):
        _open_as("somelibrary.probe", tmp_path)
    """
)


@pytest.mark.heavy
def test_an_open_without_encoding_in_course_code_fails_the_suite(tmp_path):
    """The suite's own configuration (pyproject.toml) and environment (course.py test): an
    open() without encoding in a course module fails, in a library it does not."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    pytest = [sys.executable, "-m", "pytest", "-c", str(REPO_ROOT / "pyproject.toml")]
    options = ["--rootdir", str(REPO_ROOT), "-p", "no:cacheprovider", "-p", "no:xdist", "-rf"]
    done = subprocess.run(
        [*pytest, *options, "-q", str(probe)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **course.TEST_ENV},
        timeout=120,
    )
    summary = done.stdout
    assert "FAILED" in summary and "test_a_course_module - EncodingWarning" in summary, summary
    assert "test_a_tool - EncodingWarning" in summary, summary
    assert "2 failed, 1 passed" in summary, summary


@pytest.mark.parametrize("name", ["test", "test-fast", "test-slow", "test-all"])
def test_course_py_runs_the_suite_with_encoding_warnings(monkeypatch, name):
    calls = []
    monkeypatch.setattr(course, "course_python", lambda *a, **kw: calls.append(kw) or 0)
    course.COMMANDS[name][1]([])
    assert calls[0]["env"]["PYTHONWARNDEFAULTENCODING"] == "1"


# -- Windows' file rules: open databases and read-only files ----------------------------------

needs_proc = pytest.mark.skipif(not available(), reason="reads /proc/self/fd (Linux)")

MODELS = """%%writefile models.py
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
"""


def ran(shell, code):
    captured, error = run_cell(shell, code)
    assert error is None, f"{code}\n{error!r}\n{captured.stdout[-1500:]}"
    return captured


@pytest.mark.heavy
@needs_proc
@pytest.mark.parametrize("db", ["sqlite", "duckdb"])
def test_database_files_are_closed_before_they_are_deleted(shell, monkeypatch, db):
    """Every path that deletes or replaces the lesson's database file — %sql open on it, an
    exercise check's scratch copy, a checkpoint restored, switch_db, start_lesson again —
    closes every connection first: Windows would refuse otherwise."""
    monkeypatch.delenv("COURSE_DB", raising=False)
    name = f"90_portability_{db}"
    start = f'from lessonkit import check, start_lesson\nlesson = start_lesson("{name}", db="{db}")'
    with windows_file_rules() as refusals:
        try:
            ran(shell, start)
            ran(shell, MODELS)
            ran(shell, '%alembic revision --autogenerate -m "users" --rev-id 001_users')
            ran(shell, "%alembic upgrade head")
            ran(shell, "%sql INSERT INTO users (id) VALUES (1)")
            ran(shell, "%sql SELECT * FROM users")  # ipython-sql keeps SQLite's connection
            ran(shell, 'lesson.checkpoint("cp")')
            ran(shell, 'verdict = check.migration("001_users", ["+table users"])')
            assert shell.user_ns["verdict"], shell.user_ns["verdict"]
            ran(shell, "%sql DELETE FROM users")
            ran(shell, 'lesson.restore("cp")')
            assert shell.user_ns["lesson"].query("SELECT count(*) FROM users") == [(1,)]
            ran(shell, "%sql SELECT * FROM users")
            ran(shell, f'lesson.switch_db("{db}")')  # a new empty file of the same kind
            assert shell.user_ns["lesson"].snapshot().tables() == []
            ran(shell, "%sql SELECT 1")
            compat = "from lessonkit.demos.compat import NOTE_OPERATIONS, compatibility_matrix\n"
            ran(shell, compat + f'compatibility_matrix(NOTE_OPERATIONS[:2], databases=("{db}",))')
            ran(shell, start)  # the first cell again: the sandbox and its database go
        finally:
            if session.current_lesson() is not None:
                session.current_lesson().close()
            session.set_active(None)
    assert refusals.seen == []
    assert not list((WORK_DIR / name).glob(".check-*")), "the check's copy is gone"


GIT_VARIABLES = ("GIT_CONFIG_GLOBAL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "GIT_EDITOR")


def lesson_13_start(name: str) -> list[str]:
    """Lesson 13.1's own cells up to its first branch: models, a migration, a git repository
    with .gitignore and a first commit (git writes its objects read-only)."""
    notebook = nbformat.read(NOTEBOOKS / "13_1_branches.ipynb", as_version=4)
    stop = find_section(notebook, "Аня: ветка `feature/add-roles`").cell
    cells = [cell.source for cell in notebook.cells[:stop] if cell.cell_type == "code"]
    assert '"13_1_branches"' in cells[0]
    return [cells[0].replace('"13_1_branches"', f'"{name}"'), *cells[1:]]


def git(sandbox, *args) -> str:
    return subprocess.run(
        ["git", *args], cwd=sandbox, capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout


@needs_proc
def test_a_git_sandbox_is_reset_and_restored_with_read_only_objects(shell, monkeypatch):
    """Lesson 13's sandbox holds a git repository; git's objects are read-only, and Windows
    refuses to delete a read-only file: start_lesson's reset and lesson.restore() must still
    delete them (and not leave them behind silently)."""
    monkeypatch.delenv("COURSE_DB", raising=False)
    for variable in GIT_VARIABLES:  # the lesson's %env cells change this process
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    name = "90_portability_git"
    sandbox = WORK_DIR / name
    cells = lesson_13_start(name)
    try:
        for code in cells:
            ran(shell, code)
        tracked = git(sandbox, "ls-files").split()
        assert ".gitignore" in tracked and "models.py" in tracked
        assert "lesson.db" not in tracked, "the lesson's .gitignore keeps its database out"
        objects = [p for p in (sandbox / ".git" / "objects").rglob("*") if p.is_file()]
        assert objects and not any(p.stat().st_mode & stat.S_IWRITE for p in objects)
        with windows_file_rules() as refusals:
            ran(shell, 'lesson.checkpoint("до веток")')
            ran(shell, '!git commit -q --allow-empty -m "second"')
            ran(shell, 'lesson.restore("до веток")')
            assert git(sandbox, "log", "--format=%s").split("\n")[0] == "Add users table"
            ran(shell, cells[0])  # the first cell again: reset
        assert refusals.seen, "git's objects were refused once, then made writable and deleted"
        assert not (sandbox / ".git").exists(), "the reset deleted the repository"
        assert not (WORK_DIR / ".checkpoints" / name).exists()
    finally:
        if session.current_lesson() is not None:
            session.current_lesson().close()
        session.set_active(None)


def test_name_value_arguments_are_environment_variables_on_every_os(monkeypatch):
    """`py course.py lab COURSE_DB=postgres` = `make lab COURSE_DB=postgres`: cmd.exe and
    PowerShell have no `COURSE_DB=postgres command` form."""
    monkeypatch.delenv("COURSE_DB", raising=False)
    rest = course.take_variables(["lab", "COURSE_DB=postgres", "--port=8890", "-k", "a=b"])
    assert rest == ["lab", "--port=8890", "-k", "a=b"]
    assert os.environ["COURSE_DB"] == "postgres"


@pytest.mark.parametrize(
    "line", ['revision -m "Индекс по email" --rev-id 001', "revision -m fix#12", "upgrade head"]
)
def test_alembic_lines_split_as_the_learner_s_terminal_does(line):
    """%alembic splits a line like the terminal: POSIX rules on macOS and Linux, and on Windows
    the same except that a backslash is a path separator (cmd.exe has no escape character)."""
    from lessonkit.kernel.magics import split_line

    assert split_line(line, windows=False) == shlex.split(line)
    assert split_line(line, windows=True) == shlex.split(line)
    assert split_line(r"-c migrations\alembic.ini heads", windows=True)[1] == (
        r"migrations\alembic.ini"
    )
