"""The course's magics: %alembic (the real Alembic command line in the lesson sandbox, then the
schema diff), %sql (ipython-sql on the lesson database) and a guarded %%writefile (files go
into the sandbox, never into the repository)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from IPython.core.magic import (
    Magics,
    cell_magic,
    line_cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
)
from IPython.core.magic_arguments import parse_argstring
from IPython.core.magics.osm import OSMagics
from IPython.display import display
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks import predictions
from lessonkit.cli import sql_log
from lessonkit.cli.command import CommandResult, command_name, run_alembic
from lessonkit.core.errors import AlembicCommandFailed, CourseError
from lessonkit.core.paths import shorten_paths
from lessonkit.databases.schema import Schema, diff_schemas
from lessonkit.kernel.sql import run_sql
from lessonkit.lesson.state import lesson_to_change
from lessonkit.view import notes
from lessonkit.view.hints import failure_summary, hint_for

if TYPE_CHECKING:
    from lessonkit.lesson.state import Lesson

# Commands that can change the database; the others only read files or the version table.
DATABASE_COMMANDS = {"upgrade", "downgrade", "stamp", "ensure_version"}


def split_line(line: str, windows: bool = os.name == "nt") -> list[str]:
    """The arguments as the learner's terminal would split them. On Windows a backslash is a
    path separator (`-c migrations\\alembic.ini`), not an escape as in a POSIX shell."""
    lexer = shlex.shlex(line, posix=True)  # what shlex.split does, minus the escape on Windows
    lexer.whitespace_split = True
    lexer.commenters = ""
    if windows:
        lexer.escape = ""
    try:
        return list(lexer)
    except ValueError as exc:  # an unbalanced quote
        raise CourseError(
            f"не удалось разобрать аргументы: {exc}.",
            hint='проверьте парные кавычки: %alembic revision -m "текст"',
        ) from None


def alembic_with_diff(line: str) -> CommandResult:
    """Run one command as the learner typed it, print its output, show what it changed."""
    lesson = lesson_to_change()
    argv = split_line(line)
    watch = command_name(argv) in DATABASE_COMMANDS
    before = _snapshot_or_none(lesson) if watch else None
    result = run_alembic(argv, lesson.sandbox)
    lesson.history.append(result)
    print(sql_log.trim(result.output), end="")  # the full output stays in lesson.last.output
    after = _snapshot_or_none(lesson) if before is not None else None
    if after is not None:
        display(diff_schemas(before, after))
    if watch:
        lesson.applied.record(result, lesson.sandbox)
    predictions.settle(lesson)
    if result.interrupted:
        raise notes.interrupted(result, before, after)
    if not result.ok:
        raise AlembicCommandFailed(failure_summary(result), hint_for(result), result.exit_code)
    if watch and after is not None:
        note = notes.nothing_applied(result, lesson.applied, after.version or ())
        if note is not None:
            display(note)
    return result


def _snapshot_or_none(lesson: Lesson) -> Schema | None:
    """The schema, or None with a note: an unreadable database must not hide Alembic's own
    message about it."""
    try:
        return lesson.snapshot()
    except SQLAlchemyError as exc:
        first_line = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        print(f"(Схему базы прочитать не удалось: {first_line})")
        return None


def write_sandbox_file(line: str, cell: str, shell) -> None:
    """%%writefile, limited to the active lesson's sandbox."""
    lesson = lesson_to_change()
    args = parse_argstring(OSMagics.writefile, line)
    filename = os.path.expanduser(args.filename)
    if re.match(r"^(\'.*\')|(\".*\")$", filename):  # as IPython's own %%writefile
        filename = filename[1:-1]
    target = (Path.cwd() / filename).resolve()
    if not target.is_relative_to(lesson.sandbox.resolve()):
        raise CourseError(
            f"файл {filename} оказался бы вне песочницы урока ({shorten_paths(str(target))}).",
            hint=f"файлы урока пишутся в его песочницу, {shorten_paths(str(lesson.sandbox))}/: "
            "укажите путь внутри неё, например `%%writefile models.py`.",
        )
    shell.magics_manager.registry["OSMagics"].writefile(line, cell)


@magics_class
class LessonMagics(Magics):
    @line_magic
    def alembic(self, line: str) -> None:
        """Run the Alembic command line in the lesson sandbox: %alembic upgrade head"""
        alembic_with_diff(line)

    @needs_local_scope
    @line_cell_magic
    def sql(self, line: str, cell: str | None = None, local_ns=None):
        """ipython-sql's %sql / %%sql on the lesson database."""
        return run_sql(self.shell, line, cell, local_ns)

    @cell_magic
    def writefile(self, line: str, cell: str) -> None:
        """%%writefile [-a] <file>: IPython's own, for files of the lesson sandbox only."""
        write_sandbox_file(line, cell, self.shell)
