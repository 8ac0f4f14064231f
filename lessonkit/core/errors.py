"""Errors a learner sees: a Russian message and what to do next, without a Python traceback."""

from __future__ import annotations

from lessonkit.core.markup import MessageBox


class CourseError(Exception):
    """A problem the learner can fix; shown as a short Russian message and a hint.

    IPython calls ``_render_traceback_`` instead of printing the traceback. The message is
    displayed as a box (HTML in JupyterLab: inline code, wrapping between words; text
    elsewhere); the error output itself keeps one red line, so the cell is marked as failed
    (and stops "Run All", unless tagged raises-exception).
    """

    title = "Ошибка"
    DETAILS = "Полная трассировка Python"

    def __init__(self, message: str, hint: str | None = None, details: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details  # the full traceback of the error behind it, one click away

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nЧто делать: {self.hint}"

    def box(self) -> MessageBox:
        lines = [("", self.message)] + ([("Что делать", self.hint)] if self.hint else [])
        details = (self.DETAILS, self.details) if self.details else None
        return MessageBox("error", f"✗ {self.title}", lines, details)

    def _render_traceback_(self) -> list[str]:
        from IPython.display import display

        # IPython calls this twice: to show the error, and again to store it in the history.
        if not getattr(self, "_shown", False):
            self._shown = True
            display(self.box())
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        return [f"{red}{bold}✗ {self.title}{reset} — что случилось и что делать, написано выше"]


class LessonNotStarted(CourseError):
    title = "Урок не начат"


class AlembicCommandFailed(CourseError):
    """The Alembic command itself failed; its own output has already been printed above."""

    title = "Команда Alembic завершилась с ошибкой"

    def __init__(self, message: str, hint: str | None, exit_code: int):
        super().__init__(message, hint)
        self.exit_code = exit_code


class CommandInterrupted(AlembicCommandFailed):
    """Kernel → Interrupt while an Alembic command ran."""

    title = "Команда прервана"


class DatabaseUnavailable(CourseError):
    title = "База данных недоступна"


class UnsafeReset(CourseError):
    title = "Сброс отменён"


class SandboxBusy(CourseError):
    """Another live kernel works in this lesson's sandbox."""

    title = "Песочница урока занята другим ядром"


class SandboxTakenOver(CourseError):
    """This kernel's sandbox was taken over by another kernel (start_lesson(take_over=True))."""

    title = "Песочницу забрало другое ядро"
