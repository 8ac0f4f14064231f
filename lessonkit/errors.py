"""Errors a learner sees: a Russian message and what to do next, without a Python traceback."""

from __future__ import annotations


class CourseError(Exception):
    """A problem the learner can fix; shown as a short Russian message and a hint.

    IPython calls ``_render_traceback_`` instead of printing the traceback, so the cell is
    marked as failed (and stops "Run All", unless tagged raises-exception) but reads cleanly.
    """

    title = "Ошибка"

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nЧто делать: {self.hint}"

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        lines = [f"{red}{bold}✗ {self.title}:{reset} {self.message}"]
        if self.hint:
            lines.append(f"{bold}Что делать:{reset} {self.hint}")
        return lines


class LessonNotStarted(CourseError):
    title = "Урок не начат"


class AlembicCommandFailed(CourseError):
    """The Alembic command itself failed; its own output has already been printed above."""

    title = "Команда Alembic завершилась с ошибкой"

    def __init__(self, message: str, hint: str | None, exit_code: int):
        super().__init__(message, hint)
        self.exit_code = exit_code


class DatabaseUnavailable(CourseError):
    title = "База данных недоступна"


class UnsafeReset(CourseError):
    title = "Сброс отменён"
