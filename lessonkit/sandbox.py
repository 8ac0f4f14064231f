"""start_lesson(): the first code cell of every lesson.

It wipes and recreates work/<lesson>/, empties the lesson database, builds the starting state
and connects %sql. Running it again resets everything, so "Restart & Run All" and lessons in
any order always start from the same place. Nothing outside work/ is written.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from IPython.display import display

from lessonkit import alembic_state, checkpoints, ownership, replay, reproducible, session
from lessonkit.alembic_cli import CommandResult
from lessonkit.applied import AppliedFiles
from lessonkit.backends import Backend, make_backend
from lessonkit.display import KeyValueView
from lessonkit.errors import CourseError, UnsafeReset
from lessonkit.markup import MessageBox
from lessonkit.paths import REPO_ROOT, WORK_DIR, is_inside_work, sandbox_dir, shorten_paths
from lessonkit.project import init_project, set_ini_option
from lessonkit.schema import Schema, read_schema
from lessonkit.shell import register_magics
from lessonkit.sql_magic import connect_sql, disconnect_sql

STARTS = {
    "empty": "пустая папка",
    "project": "проект после `alembic init` + models.py",
}
LESSON_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")
IDLE_DIR = WORK_DIR / ".idle"  # where a kernel waits for its lesson's first cell


@dataclass
class Lesson:
    name: str
    sandbox: Path
    backend: Backend
    history: list[CommandResult] = field(default_factory=list)  # every %alembic run
    applied: AppliedFiles = field(default_factory=AppliedFiles)  # files as they were applied
    _last_snapshot: tuple[tuple, Schema] | None = field(default=None, repr=False)
    # (observe, expected) of predict exercises, settled by the next %alembic command
    expectations: list = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        return self.backend.url

    @property
    def last(self) -> CommandResult | None:
        return self.history[-1] if self.history else None

    def snapshot(self) -> Schema:
        """The database's schema now. A file database that nothing wrote to since the last
        snapshot gives the last one back (the "before" of a %alembic is then free)."""
        mark = self.backend.fingerprint()
        if mark is not None and self._last_snapshot is not None and self._last_snapshot[0] == mark:
            return self._last_snapshot[1]
        schema = read_schema(self.backend.engine)
        mark = self.backend.fingerprint()  # after closing: DuckDB may checkpoint on close
        self._last_snapshot = (mark, schema) if mark is not None else None
        return schema

    def query(self, sql: str, **params) -> list[tuple]:
        """Rows of a query on the lesson database (works on every backend, DuckDB included)."""
        with self.backend.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]

    def checkpoint(self, name: str) -> None:
        """Keep the sandbox and the database as they are now, under ``name``."""
        session.lesson_to_change()
        checkpoints.save(self, name)
        display(MessageBox("info", f"📌 Точка «{name}» сохранена: файлы песочницы и база.", []))

    def restore(self, name: str) -> None:
        """Bring the sandbox and the database back to the checkpoint ``name``."""
        session.lesson_to_change()
        checkpoints.restore(self, name)
        self.applied, self.expectations, self._last_snapshot = AppliedFiles(), [], None
        display(MessageBox("info", f"↩️ Песочница и база — снова как в точке «{name}».", []))

    def close(self, keep_sandbox: bool = False) -> None:
        """Let the database go; give the sandbox up too, unless the lesson is restarting."""
        disconnect_sql()
        self.backend.dispose()
        if not keep_sandbox:
            ownership.release(self.name)

    def switch_db(self, db: str) -> None:
        """Same sandbox and migration files, a new empty database of another kind.

        For lessons that run one migration on two databases (SQLite refuses what PostgreSQL
        accepts). The sandbox's alembic.ini and %sql are pointed at the new database.
        """
        session.lesson_to_change()
        backend = make_backend(db, self.name, self.sandbox, fixed=True)
        backend.ensure_resettable()
        backend.reset()
        self.close(keep_sandbox=True)
        ini = self.sandbox / "alembic.ini"
        if ini.exists():
            set_ini_option(ini, "sqlalchemy.url", backend.ini_url)
        self.backend = backend
        self._last_snapshot = None
        sql_line = connect_sql(backend)
        rows = [("База", f"{backend.title} — {backend.location}"), ("Команды", sql_line)]
        display(KeyValueView(f"🔁 Урок {self.name}: новая пустая база", rows))


def start_lesson(
    name: str,
    db: str = "sqlite",
    start: str = "project",
    fixed_db: bool = False,
    take_over: bool = False,
    upto: str | None = None,
) -> Lesson:
    """Reset the sandbox and database of lesson ``name`` and make it the active lesson.

    db: "sqlite" (default), "postgres" or "duckdb"; the COURSE_DB variable overrides it,
    unless fixed_db=True (a lesson about one database's behaviour, e.g. PostgreSQL enums).
    start: "project" (alembic init already done, models.py ready) or "empty".
    take_over: take the sandbox from another live kernel that works in it (see ownership).
    upto: a section heading of the lesson: the sandbox and the database are then brought to
    the state just before it, by running the lesson's own cells (see replay).

    Every refusal (a bad argument, a sandbox in use, a database the course did not create)
    comes before anything is deleted.
    """
    if not LESSON_NAME.match(name):
        raise CourseError(
            f"странное имя урока «{name}».",
            hint='имя как у ноутбука, без .ipynb: start_lesson("02_revisions")',
        )
    if start not in STARTS:
        raise CourseError(
            f"неизвестное начальное состояние «{start}».", hint='start="project" или start="empty".'
        )
    if upto is not None:
        replay.find_section(replay.lesson_notebook(name), upto)  # an unknown one: nothing reset
    register_magics()
    _put_venv_on_path()
    fence_git()
    sandbox = sandbox_dir(name)
    backend = make_backend(db, name, sandbox, fixed_db)
    ownership.claim(name, take_over)
    try:
        backend.ensure_resettable()
    except CourseError:
        if session.current_lesson() is None or session.current_lesson().name != name:
            ownership.release(name)
        raise
    previous = session.current_lesson()
    if previous is not None:
        previous.close(keep_sandbox=previous.name == name)
    session.set_active(None)  # a failed reset must not leave the old lesson half-alive
    alembic_state.reset()  # what an earlier env.py registered (plugins) goes, as in a new process
    reproducible.restart(name)

    _recreate_folder(sandbox)
    backend.reset()
    checkpoints.forget(name, backend)
    if start == "project":
        init_project(sandbox, backend.ini_url)
    sql_line = connect_sql(backend)
    os.chdir(sandbox)  # relative paths in cells (%%writefile models.py, !ls) land in the sandbox

    lesson = Lesson(name, sandbox, backend)
    session.set_active(lesson)
    _show_welcome(lesson, start, sql_line)
    if upto is not None:
        replay.replay(lesson, upto)
    return lesson


def _recreate_folder(sandbox: Path) -> None:
    if not is_inside_work(sandbox):  # the one guard between a reset and the learner's files
        raise UnsafeReset(f"папка {sandbox} — вне work/, её курс не трогает.")
    if Path.cwd().resolve().is_relative_to(sandbox.resolve()):
        os.chdir(WORK_DIR)  # cannot delete the folder we stand in on every OS
    if sandbox.exists():
        shutil.rmtree(sandbox)
    sandbox.mkdir(parents=True)


def park_new_kernel(shell) -> None:
    """A kernel starts in notebooks/, inside the repository. Before the first cell, a
    `!alembic init` or `!git checkout` run there would change the course itself. Move a new
    kernel to work/.idle/ (git-ignored) and keep git from finding the course's repository
    from anywhere inside work/ (GIT_CEILING_DIRECTORIES). Kernels started elsewhere, and the
    test suite's shell, are left where they are."""
    if getattr(shell, "kernel", None) is None:
        return
    cwd = Path.cwd().resolve()
    if cwd.is_relative_to(REPO_ROOT) and not cwd.is_relative_to(WORK_DIR.resolve()):
        IDLE_DIR.mkdir(parents=True, exist_ok=True)
        os.chdir(IDLE_DIR)
    fence_git()


def fence_git() -> None:
    """git run in a sandbox sees only the sandbox's own repository (lesson 13), never the
    course's one above work/."""
    ceilings = os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep)
    if str(WORK_DIR) not in ceilings:
        os.environ["GIT_CEILING_DIRECTORIES"] = os.pathsep.join(
            [*filter(None, ceilings), str(WORK_DIR)]
        )


def _put_venv_on_path() -> None:
    """`!alembic` in a cell must find this environment's alembic, even when JupyterLab was
    started as .venv/bin/jupyter without activating the venv."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _show_welcome(lesson: Lesson, start: str, sql_line: str) -> None:
    rows = [
        ("Песочница", shorten_paths(str(lesson.sandbox)) + "/ (текущая папка ноутбука)"),
        ("Начало", STARTS[start]),
        ("База", f"{lesson.backend.title} — {lesson.backend.location}"),
        ("Команды", "%alembic <как в терминале>; " + sql_line),
    ]
    display(KeyValueView(f"✅ Урок {lesson.name} готов", rows))
