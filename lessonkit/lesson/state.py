"""The lesson of this kernel: the Lesson that start_lesson made, and which one is active.

Every helper (%alembic, show_*, checks) asks ``active_lesson()``; a command that changes the
sandbox or the database asks ``lesson_to_change()``, which also refuses a sandbox another kernel
has taken over (see ownership).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from IPython.display import display

from lessonkit.cli.command import CommandResult
from lessonkit.core.errors import LessonNotStarted
from lessonkit.core.markup import KeyValueView, MessageBox
from lessonkit.databases.backends import Backend, make_backend
from lessonkit.databases.schema import Schema, read_schema
from lessonkit.lesson import checkpoints, ownership
from lessonkit.lesson.applied import AppliedFiles
from lessonkit.lesson.project import set_ini_option
from lessonkit.lesson.sql_connection import connect_sql, disconnect_sql


@dataclass(repr=False)
class Lesson:
    name: str
    sandbox: Path
    backend: Backend
    history: list[CommandResult] = field(default_factory=list)  # every %alembic run
    applied: AppliedFiles = field(default_factory=AppliedFiles)  # files as they were applied
    _last_snapshot: tuple[tuple, Schema] | None = field(default=None, repr=False)
    # (observe, expected) of predict exercises, settled by the next %alembic command
    expectations: list = field(default_factory=list, repr=False)
    # len(history) when the last checkpoint was restored: what ran since belongs to the exercise
    history_mark: int = 0
    # what `applied` was at each checkpoint: a restore brings the files and the database
    # back, and with them the knowledge of which files were applied as they are now
    _applied_at: dict[str, AppliedFiles] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        # Short: a first cell that ends in start_lesson(...) without `lesson =` shows it.
        return f"Lesson({self.name!r}, db={self.backend.name!r})"

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
        """Rows of a query on the lesson database (works on every backend, DuckDB included).
        A statement without rows (INSERT, ALTER, ...) gives [] and is committed; one that
        fails is rolled back, and the database stays as it was."""
        with self.backend.engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []

    def checkpoint(self, name: str) -> None:
        """Keep the sandbox and the database as they are now, under ``name``."""
        lesson_to_change()
        checkpoints.save(self, name)
        self._applied_at[name] = self.applied.copy()
        display(MessageBox("info", f"📌 Точка «{name}» сохранена: файлы песочницы и база.", []))

    def restore(self, name: str) -> None:
        """Bring the sandbox and the database back to the checkpoint ``name``."""
        lesson_to_change()
        checkpoints.restore(self, name)
        kept = self._applied_at.get(name)
        self.applied = kept.copy() if kept is not None else AppliedFiles()
        self.expectations, self._last_snapshot = [], None
        self.history_mark = len(self.history)
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
        lesson_to_change()
        backend = make_backend(db, self.name, self.sandbox, fixed=True)
        backend.ensure_resettable()
        # Every connection closes before the reset: on Windows a database file with a
        # connection open cannot be deleted (switch_db("sqlite") on SQLite deletes lesson.db).
        self.close(keep_sandbox=True)
        try:
            backend.reset()
        except Exception:
            connect_sql(self.backend)  # the lesson stays on its database
            raise
        ini = self.sandbox / "alembic.ini"
        if ini.exists():
            set_ini_option(ini, "sqlalchemy.url", backend.ini_url)
        self.backend = backend
        self._last_snapshot = None
        sql_line = connect_sql(backend)
        rows = [("База", f"{backend.title} — {backend.location}"), ("Команды", sql_line)]
        display(KeyValueView(f"🔁 Урок {self.name}: новая пустая база", rows))


_active: Lesson | None = None


def active_lesson() -> Lesson:
    if _active is None:
        raise LessonNotStarted(
            "в этом ядре урок ещё не запущен (например, после перезапуска ядра).",
            hint="выполните первую ячейку кода урока — с start_lesson(...) — и повторите.",
        )
    return _active


def current_lesson() -> Lesson | None:
    return _active


def set_active(lesson: Lesson | None) -> None:
    global _active
    _active = lesson


def lesson_to_change() -> Lesson:
    """The active lesson, for a command that changes its files or database; refused when
    another kernel has taken the sandbox over (see ownership)."""
    lesson = active_lesson()
    ownership.ensure_owner(lesson.name)
    return lesson
