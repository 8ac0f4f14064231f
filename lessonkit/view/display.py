"""Show the learner files of the sandbox: the tree, a file, a revision script (highlighted)."""

from __future__ import annotations

import html
from pathlib import Path

from IPython.display import display
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

from lessonkit.core.errors import CourseError
from lessonkit.core.paths import shorten_paths
from lessonkit.lesson.scripts import revision_path
from lessonkit.lesson.state import active_lesson

HIDDEN = {"__pycache__", ".ipynb_checkpoints"}


class FileView:
    """A file with its path as a title: highlighted HTML in JupyterLab, plain text elsewhere."""

    def __init__(self, title: str, text: str, filename: str):
        self.title, self.text, self.filename = title, text, filename

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(f"── {self.title} ──\n{self.text.rstrip()}")

    def _repr_html_(self) -> str:
        try:
            lexer = get_lexer_for_filename(self.filename)
        except ClassNotFound:
            lexer = TextLexer()
        code = highlight(self.text, lexer, HtmlFormatter(noclasses=True, nobackground=True))
        return (
            f"<div style='border:1px solid #d0d7de;border-radius:6px;margin:4px 0'>"
            f"<div style='background:#f6f8fa;padding:3px 8px;font-family:monospace'>"
            f"📄 {html.escape(self.title)}</div><div style='padding:0 8px'>{code}</div></div>"
        )


def show_file(
    path: str | Path, settings_only: bool = False, matching: str | None = None, after: int = 3
) -> None:
    """Display a file of the sandbox (a path relative to it, or absolute).

    settings_only: skip comment and blank lines — alembic.ini is 150 lines, 30 of them settings.
    matching: show only the lines containing this text, each with ``after`` lines that follow.
    """
    lesson = active_lesson()
    full = Path(path) if Path(path).is_absolute() else lesson.sandbox / path
    if not full.is_file():
        raise CourseError(f"файла {path} нет в песочнице.", hint="посмотрите список: show_tree()")
    lines = full.read_text(encoding="utf-8").splitlines()
    title = shorten_paths(str(full))
    if settings_only:
        lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
        title += " (только настройки, без комментариев)"
    if matching is not None:
        lines = _excerpt(lines, matching, after)
        title += f" (фрагменты со строкой «{matching}»)"
    display(FileView(title, "\n".join(lines), full.name))


def _excerpt(lines: list[str], matching: str, after: int) -> list[str]:
    keep: set[int] = set()
    for number, line in enumerate(lines):
        if matching in line:
            keep.update(range(number, min(number + after + 1, len(lines))))
    out: list[str] = []
    for number in sorted(keep):
        if out and number - 1 not in keep:
            out.append("...")
        out.append(lines[number])
    return out


def show_revision(revision: str | None = None) -> None:
    """Display a revision script; without an argument, the newest file in versions/."""
    show_file(revision_path(revision))


def tree_lines(folder: Path) -> list[str]:
    lines = [shorten_paths(str(folder)) + "/"]

    def walk(path: Path, prefix: str) -> None:
        children = sorted(
            (p for p in path.iterdir() if p.name not in HIDDEN), key=lambda p: (p.is_file(), p.name)
        )
        for i, child in enumerate(children):
            last = i == len(children) - 1
            suffix = "/" if child.is_dir() else ""
            lines.append(f"{prefix}{'└── ' if last else '├── '}{child.name}{suffix}")
            if child.is_dir():
                walk(child, prefix + ("    " if last else "│   "))

    walk(folder, "")
    return lines


class TreeView:
    def __init__(self, lines: list[str]):
        self.lines = lines

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("\n".join(self.lines))


def show_tree(path: str | Path | None = None) -> None:
    """Display the sandbox (or a folder in it) as a tree, like the `tree` command."""
    lesson = active_lesson()
    folder = lesson.sandbox if path is None else lesson.sandbox / path
    if not folder.is_dir():
        raise CourseError(
            f"папки {path} нет в песочнице.", hint="show_tree() покажет всю песочницу"
        )
    display(TreeView(tree_lines(folder)))
