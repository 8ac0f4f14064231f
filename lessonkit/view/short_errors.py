"""An exception raised inside a helper or a library, shown in a few lines.

A cell like ``lesson.query("DROP TYPE genderenum")`` or ``Config("alembic.ini")
.set_main_option(...)`` fails deep inside SQLAlchemy, psycopg or configparser, and IPython
prints every frame on the way: 40 to 200 lines of library code above the one line that
matters. The course shows that line instead — the error's own message (a database's with its
DETAIL and HINT), framed in Russian, with what to do — and keeps the full traceback one click
away: a collapsed block in JupyterLab, plain text in an export, ``%tb`` in the kernel.

Errors raised by the cell's own code (a NameError, a typo) keep IPython's usual traceback:
it is short, and it points into the learner's code. The course's own errors (CourseError) and
syntax errors are shown as before.
"""

from __future__ import annotations

import sys
import traceback

from IPython.core.error import UsageError

from lessonkit.core.errors import CourseError
from lessonkit.core.markup import MessageBox
from lessonkit.core.tracebacks import database_of, error_name, message_of, traceback_text
from lessonkit.view.hints import hint_for_error


class LibraryError(CourseError):
    """An exception from a library or a helper, as the course frames it: its own message
    quoted as it is (in the code font, aligned), then what to do."""

    def __init__(self, title: str, message: str, hint: str, details: str):
        super().__init__(message, hint, details)
        self.title = title

    def box(self) -> MessageBox:
        details = (self.DETAILS, self.details) if self.details else None
        lines = [("Что делать", self.hint)] if self.hint else []
        return MessageBox("error", f"✗ {self.title}", lines, details, quote=self.message)


def cell_files(shell) -> dict[str, str]:
    """The files IPython compiles cells into (/tmp/ipykernel_…/….py) → «ячейка [7]»."""
    numbers = getattr(getattr(shell, "compile", None), "_filename_map", {}) or {}
    return {name: f"ячейка [{number}]" for name, number in numbers.items()}


def raised_beyond_the_cell(error: BaseException, cells: dict[str, str]) -> bool:
    """True when the traceback goes into code that is not the cell's: a helper, a library."""
    frames = traceback.extract_tb(error.__traceback__)
    return any(frame.filename not in cells for frame in frames[1:]) if frames else False


def framed(error: BaseException, cells: dict[str, str] | None = None) -> LibraryError:
    database = database_of(error)
    name = error_name(error)
    if database:
        title = f"{database} вернул ошибку {name}"
        fallback = (
            "это ответ самой базы на запрос из ячейки: исправьте запрос или данные и "
            "выполните ячейку снова."
        )
    else:
        title = f"Исключение Python {name}"
        fallback = (
            "это сообщение библиотеки, которую вызвала ячейка: проверьте, что ей передано, "
            "и выполните ячейку снова."
        )
    hint = hint_for_error(error) or fallback
    return LibraryError(title, on_screen(message_of(error)), hint, traceback_text(error, cells))


def on_screen(message: str, lines: int = 6, chars: int = 700) -> str:
    """The message, cut to a few lines: a long one goes on in the full traceback."""
    kept = "\n".join(message.splitlines()[:lines])[:chars]
    return kept if kept == message else kept.rstrip() + " … (дальше — в полной трассировке)"


def show_exception(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler (InteractiveShell.set_custom_exc)."""
    cells = cell_files(shell)
    plain = (
        hasattr(value, "_render_traceback_")
        or isinstance(value, (SyntaxError, UsageError))
        or not raised_beyond_the_cell(value, cells)
    )
    if plain:  # IPython's own display, as without the course
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %tb
    stb = framed(value, cells)._render_traceback_()
    shell._showtraceback(etype, value, stb)  # the error output: the cell is marked failed
    return stb


def install(shell) -> None:
    shell.set_custom_exc((Exception,), show_exception)
