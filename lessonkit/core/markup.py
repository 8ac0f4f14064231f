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


DETAILS_STYLE = "margin-top:4px;font-size:0.9em"
PRE_STYLE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:0.9em;white-space:pre-wrap;"
    "overflow-wrap:anywhere;max-height:30em;overflow:auto;margin:4px 0 0;padding:4px 6px;"
    "background:rgba(127,127,127,0.12)"
)

QUOTE_STYLE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:0.95em;white-space:pre-wrap;"
    "overflow-wrap:anywhere;margin-top:3px"
)


class MessageBox:
    """A titled message with optional lines under it (e.g. «Что делать: ...»).

    ``quote``: text shown as it is, in the code font, under the title (a database's message:
    its «LINE 1: …» and the ^ under it must stay aligned). ``details``: (summary, text) kept
    one click away — a collapsed <details> in JupyterLab (the full Python traceback of an
    error); plain text keeps it in full, after the message."""

    def __init__(
        self,
        kind: str,
        title: str,
        lines: list[tuple[str, str]],
        details: tuple[str, str] | None = None,
        quote: str | None = None,
    ):
        self.kind, self.title, self.lines = kind, title, lines  # lines: (label, text)
        self.details, self.quote = details, quote

    def text(self) -> str:
        body = [self.quote] if self.quote else []
        body += [f"{label}: {text}" if label else text for label, text in self.lines]
        if self.details:
            body.append(f"{self.details[0]}:\n{self.details[1].rstrip()}")
        return "\n".join([self.title, *body])

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        fg, bg, border = STYLES[self.kind]
        rows = [f"<div><b>{inline_html(self.title)}</b></div>"]
        if self.quote:
            rows.append(f"<div style='{QUOTE_STYLE}'>{html.escape(self.quote)}</div>")
        for label, text in self.lines:
            head = f"<b>{html.escape(label)}:</b> " if label else ""
            rows.append(f"<div style='margin-top:3px'>{head}{inline_html(text)}</div>")
        if self.details:
            summary, text = self.details
            rows.append(
                f"<details style='{DETAILS_STYLE}'><summary>{html.escape(summary)}</summary>"
                f"<pre style='{PRE_STYLE}'>{html.escape(text.rstrip())}</pre></details>"
            )
        style = BOX_STYLE.format(fg=fg, bg=bg, border=border)
        return f"<div class='lessonkit-box' style='{style}'>{''.join(rows)}</div>"


class KeyValueView:
    """A titled list of «name: value» lines (the welcome box of start_lesson)."""

    def __init__(self, title: str, rows: list[tuple[str, str]]):
        self.title, self.rows = title, rows

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("\n".join([self.title, *(f"  {k}: {v}" for k, v in self.rows)]))

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td style='text-align:left;padding-right:1em'><b>{html.escape(k)}</b></td>"
            f"<td style='text-align:left'>{inline_html(v)}</td></tr>"
            for k, v in self.rows
        )
        return (
            "<div style='border-left:4px solid #2da44e;padding:4px 10px'>"
            f"<b>{html.escape(self.title)}</b><table>{cells}</table></div>"
        )


class TableView:
    """Rows under a header: an HTML table in JupyterLab, aligned text elsewhere."""

    def __init__(self, header: tuple[str, ...], rows: list[tuple]):
        self.header = tuple(str(h) for h in header)
        self.rows = [tuple(str(cell) for cell in row) for row in rows]

    def _repr_pretty_(self, printer, cycle) -> None:
        widths = [
            max(len(r[i]) for r in [self.header, *self.rows]) for i in range(len(self.header))
        ]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in [self.header, *self.rows]
        ]
        printer.text("\n".join(lines))

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
            + "</tr>"
            for row in self.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"
