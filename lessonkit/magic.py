"""%alembic: the real Alembic command line in the lesson sandbox, then the schema diff."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.alembic_cli import CommandResult, command_name, run_alembic
from lessonkit.errors import AlembicCommandFailed, CourseError
from lessonkit.hints import failure_summary, hint_for
from lessonkit.schema import Schema, diff_schemas
from lessonkit.session import active_lesson

if TYPE_CHECKING:
    from lessonkit.sandbox import Lesson

# Commands that can change the database; the others only read files or the version table.
DATABASE_COMMANDS = {"upgrade", "downgrade", "stamp", "ensure_version"}


def split_line(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:  # an unbalanced quote
        raise CourseError(
            f"не удалось разобрать аргументы: {exc}.",
            hint='проверьте парные кавычки: %alembic revision -m "текст"',
        ) from None


def alembic_with_diff(line: str) -> CommandResult:
    """Run one command as the learner typed it, print its output, show what it changed."""
    lesson = active_lesson()
    argv = split_line(line)
    watch = command_name(argv) in DATABASE_COMMANDS
    before = _snapshot_or_none(lesson) if watch else None
    result = run_alembic(argv, lesson.sandbox)
    lesson.history.append(result)
    print(result.output, end="")
    after = _snapshot_or_none(lesson) if before is not None else None
    if after is not None:
        display(diff_schemas(before, after))
    if not result.ok:
        raise AlembicCommandFailed(failure_summary(result), hint_for(result), result.exit_code)
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


@magics_class
class AlembicMagics(Magics):
    @line_magic
    def alembic(self, line: str) -> None:
        """Run the Alembic command line in the lesson sandbox: %alembic upgrade head"""
        alembic_with_diff(line)
