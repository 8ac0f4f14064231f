"""edit_file(): change a few lines of a sandbox file and show only what changed.

A lesson that rewrites a whole 40-line file with %%writefile to change one line hides the
change in the noise. edit_file() replaces a fragment, refuses an ambiguous or missing one (with
the closest line of the file as a hint), and shows a unified diff: highlighted in JupyterLab,
plain text elsewhere.
"""

from __future__ import annotations

import difflib
import html
from pathlib import Path

from IPython.display import display
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer

from lessonkit.core.errors import CourseError
from lessonkit.core.paths import shorten_paths
from lessonkit.lesson.state import lesson_to_change

CONTEXT_LINES = 2


class DiffView:
    """A unified diff with the file as its title."""

    def __init__(self, title: str, diff: str):
        self.title, self.diff = title, diff

    def text(self) -> str:
        return f"── {self.title} ──\n{self.diff.rstrip()}"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        code = highlight(self.diff, DiffLexer(), HtmlFormatter(noclasses=True, nobackground=True))
        return (
            "<div style='border:1px solid #d0d7de;border-radius:6px;margin:4px 0'>"
            "<div style='background:#f6f8fa;padding:3px 8px;"
            "font-family:var(--jp-code-font-family,monospace)'>"
            f"✏️ {html.escape(self.title)}</div><div style='padding:0 8px'>{code}</div></div>"
        )


def edit_file(path: str | Path, old: str | dict[str, str], new: str | None = None) -> None:
    """Replace ``old`` with ``new`` in a sandbox file and show the change.

    edit_file("models.py", "String(50)", "String(100)")
    edit_file("alembic.ini", {"level = WARN": "level = INFO", "# a": "a"})

    Each fragment must occur exactly once (a longer fragment makes it unique).
    """
    lesson = lesson_to_change()
    full = (lesson.sandbox / path).resolve()
    if not full.is_relative_to(lesson.sandbox.resolve()):
        raise CourseError(
            f"файл {path} вне песочницы урока.", hint="укажите путь внутри неё: `models.py`."
        )
    if not full.is_file():
        raise CourseError(f"файла {path} нет в песочнице.", hint="посмотрите список: `show_tree()`")
    replacements = old if isinstance(old, dict) else {old: new}
    if any(value is None for value in replacements.values()):
        raise CourseError(
            "не сказано, на что заменить.", hint='`edit_file("models.py", "было", "стало")`'
        )
    before = full.read_text(encoding="utf-8")
    after = before
    for fragment, replacement in replacements.items():
        after = _replace_once(after, fragment, replacement, path)
    full.write_text(after, encoding="utf-8")
    title = shorten_paths(str(full))
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"{title} (было)",
            tofile=f"{title} (стало)",
            n=CONTEXT_LINES,
        )
    )
    display(DiffView(title, diff or "(текст не изменился)\n"))


def _replace_once(text: str, fragment: str, replacement: str, path: str | Path) -> str:
    count = text.count(fragment)
    if count == 1:
        return text.replace(fragment, replacement)
    if count == 0:
        first = fragment.strip().splitlines()[0].strip() if fragment.strip() else fragment
        lines = [line.strip() for line in text.splitlines()]
        close = difflib.get_close_matches(first, lines, 1)
        hint = f"похожая строка в файле: `{close[0]}`" if close else "посмотрите файл: show_file"
        raise CourseError(f"в {path} нет фрагмента «{fragment.strip()}».", hint=hint + ".")
    raise CourseError(
        f"в {path} фрагмент «{fragment.strip()}» встречается {count} раз(а): какой менять?",
        hint="возьмите фрагмент длиннее — с соседними словами или строкой.",
    )
