"""%alembic: the real Alembic command line in the lesson sandbox, then the schema diff."""

from __future__ import annotations

import shlex

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display

from lessonkit.alembic_cli import CommandResult, command_name, run_alembic
from lessonkit.errors import AlembicCommandFailed, CourseError
from lessonkit.hints import failure_summary, hint_for
from lessonkit.schema import diff_schemas
from lessonkit.session import active_lesson

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
    before = lesson.snapshot() if watch else None
    result = run_alembic(argv, lesson.sandbox)
    lesson.history.append(result)
    print(result.output, end="")
    if watch:
        display(diff_schemas(before, lesson.snapshot()))
    if not result.ok:
        raise AlembicCommandFailed(failure_summary(result), hint_for(result), result.exit_code)
    return result


@magics_class
class AlembicMagics(Magics):
    @line_magic
    def alembic(self, line: str) -> None:
        """Run the Alembic command line in the lesson sandbox: %alembic upgrade head"""
        alembic_with_diff(line)
