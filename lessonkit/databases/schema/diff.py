"""Compare two snapshots and present the result as plain text and as coloured HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass

from lessonkit.databases.schema.model import KIND_LABELS, VERSION_TABLE, Item, Schema

BACKEND_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "duckdb": "DuckDB"}
MARKS = {"added": "+", "removed": "−", "changed": "~"}
COLOURS = {  # (text, background) — readable in light and dark JupyterLab themes
    "added": ("#116329", "#dafbe1"),
    "removed": ("#a40e26", "#ffebe9"),
    "changed": ("#7d4e00", "#fff8c5"),
    "note": ("#3d444d", "#eef1f4"),
}
UNCHANGED = "Схема не изменилась"
# How an attribute that a column does not have reads in a "changed" line.
BLANK_ATTRS = {"NULL": "NULL", "DEFAULT": "без DEFAULT"}


@dataclass(frozen=True)
class Change:
    op: str  # "added" | "removed" | "changed"
    before: Item | None
    after: Item | None

    @property
    def item(self) -> Item:
        return self.after or self.before  # type: ignore[return-value]

    def text(self) -> str:
        item = self.item
        label = KIND_LABELS[item.kind]
        if self.op != "changed":
            return f"{MARKS[self.op]} {label} {item.describe()}"
        if self.before.attrs == self.after.attrs:  # type: ignore[union-attr]
            return f"~ {label} {item.name}"  # a table whose parts changed
        parts = []
        before_attrs = dict(self.before.attrs)  # type: ignore[union-attr]
        for name, new in self.after.attrs:  # type: ignore[union-attr]
            old = before_attrs.get(name, "")
            if old != new:
                what = f"{name} " if name == "тип" else ""
                blank = BLANK_ATTRS.get(name, "—")
                parts.append(f"{what}{old or blank} → {new or blank}")
        return f"~ {label} {item.name}: " + "; ".join(parts)


@dataclass(frozen=True)
class TableGroup:
    """Changes of one table (or of the enum types), listed together under one heading."""

    heading: Change | None
    children: tuple[Change, ...]


@dataclass(frozen=True)
class SchemaDiff:
    backend: str
    groups: tuple[TableGroup, ...]
    version_line: str | None

    @property
    def empty(self) -> bool:
        return not self.groups and self.version_line is None

    def changes(self) -> list[Change]:
        out = []
        for group in self.groups:
            out.extend([group.heading] if group.heading else [])
            out.extend(group.children)
        return out

    def lines(self) -> list[tuple[str, str, int]]:
        """(op, text, indent) for every line after the title."""
        if self.empty:
            return [("note", UNCHANGED, 0)]
        out: list[tuple[str, str, int]] = []
        for group in self.groups:
            if group.heading is not None:
                out.append((group.heading.op, group.heading.text(), 0))
                indent = 1
            else:
                indent = 0
            out.extend((c.op, c.text(), indent) for c in group.children)
        if self.version_line:
            out.append(("note", self.version_line, 0))
        return out

    @property
    def title(self) -> str:
        return f"Схема базы ({BACKEND_TITLES.get(self.backend, self.backend)}): до → после"

    def text(self) -> str:
        body = ["    " * indent + line for _, line, indent in self.lines()]
        return "\n".join([self.title, *body])

    def html(self) -> str:
        rows = []
        for op, line, indent in self.lines():
            fg, bg = COLOURS[op]
            rows.append(
                f'<div style="color:{fg};background:{bg};padding:1px 6px;'
                f'margin-left:{indent * 1.5}em;white-space:pre-wrap">{html.escape(line)}</div>'
            )
        return (
            '<div class="lessonkit-diff" style="font-family:var(--jp-code-font-family,monospace);'
            "font-size:var(--jp-code-font-size,13px);"
            'border:1px solid #d0d7de;border-radius:6px;padding:6px;margin:4px 0">'
            f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(self.title)}</div>'
            + "".join(rows)
            + "</div>"
        )

    # IPython shows the HTML in JupyterLab and the text everywhere else (tests, exports).
    def _repr_html_(self) -> str:
        return self.html()

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text())

    def __str__(self) -> str:
        return self.text()


def diff_schemas(before: Schema, after: Schema) -> SchemaDiff:
    changes = _item_changes(before, after)
    return SchemaDiff(
        backend=after.backend,
        groups=_group_by_table(changes),
        version_line=_version_line(before.version, after.version),
    )


def _is_bookkeeping(item: Item) -> bool:
    return VERSION_TABLE in (item.name, item.table)


def _item_changes(before: Schema, after: Schema) -> list[Change]:
    changes = []

    def order(key):
        return (after.items.get(key) or before.items[key]).sort_key()

    for key in sorted(before.items.keys() | after.items.keys(), key=order):
        old, new = before.items.get(key), after.items.get(key)
        if _is_bookkeeping(old or new):  # type: ignore[arg-type]
            continue
        if old is None:
            changes.append(Change("added", None, new))
        elif new is None:
            changes.append(Change("removed", old, None))
        elif old.attrs != new.attrs:
            changes.append(Change("changed", old, new))
    return changes


def _group_by_table(changes: list[Change]) -> tuple[TableGroup, ...]:
    headings = {c.item.name: c for c in changes if c.item.kind == "table"}
    children: dict[str, list[Change]] = {}
    for change in changes:
        if change.item.kind == "table":
            children.setdefault(change.item.name, [])
        else:
            children.setdefault(change.item.table or "", []).append(change)

    groups = []
    for table in sorted(children, key=lambda t: (t == "", t)):  # enum types after the tables
        heading = headings.get(table)
        if heading is None and table:
            heading = Change("changed", Item("table", None, table), Item("table", None, table))
        groups.append(TableGroup(heading, tuple(children[table])))
    return tuple(groups)


def _version_text(version: tuple[str, ...]) -> str:
    return ", ".join(version) if version else "(пусто)"


def _version_line(before: tuple[str, ...] | None, after: tuple[str, ...] | None) -> str | None:
    if before == after:
        return None
    if before is None:
        return f"{VERSION_TABLE}: таблица создана, версия {_version_text(after)}"  # type: ignore[arg-type]
    if after is None:
        return f"{VERSION_TABLE}: таблица удалена (была версия {_version_text(before)})"
    return f"{VERSION_TABLE}: {_version_text(before)} → {_version_text(after)}"
