"""The course's message boxes: Russian text with `inline code`, as HTML and as plain text.

Hints and verdicts are written with backticks around commands (`%alembic current`). JupyterLab
shows them as HTML: the backticks become <code>, and lines wrap between words only (an error
output would break `%alembic curren` / `t` in the middle of a word). Plain text keeps the
backticks, for exports, tests and terminals.
"""

from __future__ import annotations

import html
import re

INLINE_CODE = re.compile(r"`([^`\n]+)`")

# (text colour, background, border) per kind of box; readable in light and dark themes.
STYLES = {
    "error": ("#82071e", "#ffebe9", "#cf222e"),
    "warning": ("#7d4e00", "#fff8c5", "#bf8700"),
    "success": ("#116329", "#dafbe1", "#2da44e"),
    "info": ("#0a3069", "#ddf4ff", "#0969da"),
}
# Sizes follow JupyterLab's own font settings (and its zoom), so a projector shows them large.
BOX_STYLE = (
    "color:{fg};background:{bg};border-left:4px solid {border};padding:6px 10px;margin:4px 0;"
    "font-family:var(--jp-content-font-family,sans-serif);"
    "font-size:var(--jp-content-font-size1,14px);line-height:1.45;"
    "white-space:normal;overflow-wrap:break-word;word-break:normal"
)
CODE_STYLE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:0.95em;"
    "background:rgba(127,127,127,0.15);padding:0 3px;border-radius:3px"
)


def inline_html(text: str) -> str:
    """Escape ``text`` for HTML, turning `code` into <code> and newlines into <br>."""
    parts = INLINE_CODE.split(text)
    out = []
    for index, part in enumerate(parts):
        escaped = html.escape(part)
        out.append(f"<code style='{CODE_STYLE}'>{escaped}</code>" if index % 2 else escaped)
    return "".join(out).replace("\n", "<br>")


class MessageBox:
    """A titled message with optional lines under it (e.g. «Что делать: ...»)."""

    def __init__(self, kind: str, title: str, lines: list[tuple[str, str]]):
        self.kind, self.title, self.lines = kind, title, lines  # lines: (label, text)

    def text(self) -> str:
        body = [f"{label}: {text}" if label else text for label, text in self.lines]
        return "\n".join([self.title, *body])

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        fg, bg, border = STYLES[self.kind]
        rows = [f"<div><b>{inline_html(self.title)}</b></div>"]
        for label, text in self.lines:
            head = f"<b>{html.escape(label)}:</b> " if label else ""
            rows.append(f"<div style='margin-top:3px'>{head}{inline_html(text)}</div>")
        style = BOX_STYLE.format(fg=fg, bg=bg, border=border)
        return f"<div class='lessonkit-box' style='{style}'>{''.join(rows)}</div>"
