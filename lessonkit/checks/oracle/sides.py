"""Scratch copies of a lesson for an exercise check: a folder under work/.oracle/ and a database
of the lesson's kind beside the lesson's own. The learner's sandbox and database are only read.

A side can stand in for the learner's lesson while cells run (``acting_as``): it becomes the
active lesson, the working folder, the notebook's ``lesson`` variable and %sql's database, so
the exercise's own cells — `lesson.restore(...)`, `%%writefile`, `%alembic`, `edit_file` —
work on the copy. Everything is put back afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from lessonkit.cli import reproducible
from lessonkit.cli.command import CommandResult, run_alembic
from lessonkit.core.paths import WORK_DIR
from lessonkit.core.portable import remove_tree
from lessonkit.core.shell import get_shell
from lessonkit.databases import pg_server
from lessonkit.lesson import state
from lessonkit.lesson.project import set_ini_option
from lessonkit.lesson.sql_connection import connect_sql, disconnect_sql
from lessonkit.lesson.state import Lesson

ROOT = WORK_DIR / ".oracle"
# Not part of what a learner made: caches, editor copies, git's index (`git status` rewrites it).
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
SKIPPED_PATHS = {(".git", "index")}


class SideLesson(Lesson):
    """A scratch copy's Lesson: restoring the lesson's checkpoint brings the learner's
    alembic.ini along, whose URL names the learner's database; it is pointed at the copy's."""

    side: Side | None = None

    def restore(self, name: str) -> None:
        super().restore(name)
        self.side.point_ini_at_own_database(self.side.real.backend.ini_url)


class Side:
    """One scratch copy: ``lesson`` is a Lesson of its own (same name, another folder/DB)."""

    def __init__(self, real: Lesson, number: int, role: str, config: str | None = None):
        sandbox = ROOT / real.name / f"{number}-{role}"
        backend = real.backend.sibling(sandbox, f"o{number}{role}")
        self.lesson = SideLesson(real.name, sandbox, backend)
        self.lesson.side = self
        self.real = real
        self.number, self.role = number, role
        self.database_origin = None  # the Side or Lesson whose database this one copied
        self.config = config  # -c <ini>, when the exercise's project keeps it elsewhere
        # The notebook's variables as this side left them (an exercise may answer with one).
        self.variables: dict[str, object] = {}

    @property
    def sandbox(self) -> Path:
        return self.lesson.sandbox

    @property
    def backend(self):
        return self.lesson.backend

    def clear(self) -> None:
        """An empty folder and an empty database (the copies of the last check go)."""
        self.backend.dispose()
        remove_tree(self.sandbox)
        self.sandbox.mkdir(parents=True)
        self.backend.reset()

    def load(self, files_from, database_from) -> None:
        """This side's folder: the files of ``files_from`` (a Side or a Lesson; its database
        files aside) and a copy of ``database_from``'s database."""
        self.load_files(files_from, database=False)
        self.backend.copy_from(database_from.backend)
        self.database_origin = database_from  # an observer may start again from there
        self.point_ini_at_own_database(files_from.backend.ini_url)

    def load_files(self, files_from, database: bool = True) -> None:
        """The files of ``files_from`` over an empty folder and, unless ``database`` is
        False, an empty database the project's alembic.ini points at."""
        self.clear()
        for path in files(files_from.sandbox, skip_database=True):
            target = self.sandbox / path.relative_to(files_from.sandbox)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        # git's index is left out of the digest (git status rewrites it), but a copy without
        # one sees every tracked file as deleted: `git checkout` in a solution then refuses.
        index = files_from.sandbox / ".git" / "index"
        if index.is_file():
            (self.sandbox / ".git" / "index").write_bytes(index.read_bytes())
        if database:
            self.point_ini_at_own_database(files_from.backend.ini_url)

    def point_ini_at_own_database(self, previous: str) -> None:
        """The project's alembic.ini names the database it came with (PostgreSQL: by name);
        the copy must use its own. A URL the learner changed on purpose is left alone."""
        ini = self.sandbox / (self.config or "alembic.ini")
        if not ini.is_file() or self.backend.ini_url == previous:
            return
        if previous in ini.read_text(encoding="utf-8"):
            set_ini_option(ini, "sqlalchemy.url", self.backend.ini_url)

    def alembic(self, *argv: str) -> CommandResult:
        # An env.py that reads DATABASE_URL (lesson 12) must see the copy, not the learner's
        # database; the variable is put back at once.
        saved = os.environ.get(pg_server.ENV_URL)
        if saved is not None:
            os.environ[pg_server.ENV_URL] = str(self.backend.engine.url.render_as_string(False))
        prefix = ["-c", self.config] if self.config else []
        try:
            return run_alembic([*prefix, *argv], self.sandbox)
        finally:
            if saved is not None:
                os.environ[pg_server.ENV_URL] = saved
            self.backend.dispose()

    def query(self, sql: str) -> list[tuple]:
        with self.backend.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]


def files(folder: Path, skip_database: bool = False) -> list[Path]:
    """The files a learner made or changed in a sandbox (not caches, not git's index)."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or SKIPPED_PARTS & set(relative.parts):
            continue
        if relative.parts[:2] in SKIPPED_PATHS:
            continue
        if skip_database and relative.name.startswith(("lesson.db", "lesson.duckdb")):
            continue
        found.append(path)
    return found


def files_digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files(folder, skip_database=True)
    }


@contextlib.contextmanager
def acting_as(side: Side, variable: str = "lesson") -> Iterator[None]:
    """While the block runs, ``side`` is the lesson the kernel works on."""
    shell = get_shell()
    missing = object()
    saved = (state.current_lesson(), os.getcwd(), shell.user_ns.get(variable, missing))
    # The cells replayed on the copy must not change the learner's variables (a solution's
    # `unapplied = ...` would otherwise replace the learner's own answer).
    namespace = dict(shell.user_ns)
    counter = reproducible.save()
    disconnect_sql()
    state.set_active(side.lesson)
    os.chdir(side.sandbox)
    shell.user_ns[variable] = side.lesson
    connect_sql(side.backend)
    try:
        yield
    finally:
        side.variables = dict(shell.user_ns)
        shell.user_ns.clear()
        shell.user_ns.update(namespace)
        disconnect_sql()
        side.backend.dispose()
        active, cwd, value = saved
        state.set_active(active)
        os.chdir(cwd)
        if value is missing:
            shell.user_ns.pop(variable, None)
        else:
            shell.user_ns[variable] = value
        reproducible.restore(counter)
        if active is not None:
            connect_sql(active.backend)
