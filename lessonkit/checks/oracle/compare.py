"""Two database states compared by what they hold, not by what their objects are called.

A schema becomes a set of facts: a column with its type, nullability and default as the
database stores it; a key with its columns, target and actions; an index with its columns and
uniqueness; a CHECK with its expression; an ENUM type with its values. Constraint and index
names are part of a fact only where the task names them. Equivalent spellings are folded
(``now()`` and ``CURRENT_TIMESTAMP``, ``'0'`` and ``0``, a unique index and a UNIQUE
constraint), so every correct answer compares equal however it is written.

Data becomes, per table, the multiset of its rows; times are compared only as "set" or "NULL"
(a default of now() differs by milliseconds between two runs).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from lessonkit.databases.schema.model import KIND_LABELS, VERSION_TABLE, Item, Schema

NOW_SPELLINGS = re.compile(
    r"^(now\(\)|current_timestamp(\(\))?|transaction_timestamp\(\)|localtimestamp|"
    r"statement_timestamp\(\)|get_current_timestamp\(\)|datetime\('now'\))$"
)
CAST = re.compile(r"::[a-z ]+(\(\d+(,\d+)?\))?(\[\])?")
DATETIME_TEXT = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d(:?\d\d)?)?$")
BIG_TABLE = 5000  # rows; a bigger table is compared by its row count only
# Spellings of one column type (SQLite keeps the name a migration wrote: sa.DateTime gives
# DATETIME, sa.TIMESTAMP gives TIMESTAMP — both a timestamp without a time zone).
TYPE_SYNONYMS = {
    "DATETIME": "TIMESTAMP",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "INT": "INTEGER",
}


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def normal_sql(text: str | None) -> str | None:
    """An expression as comparable text: case, spaces, outer parentheses and casts folded."""
    if text is None:
        return None
    text = CAST.sub("", " ".join(str(text).split()).lower())
    text = _strip_parens(text)
    text = re.sub(r"\s*([(),=<>!+*/-])\s*", r"\1", text)
    return text.replace("!=", "<>")  # one inequality, two spellings


def normal_default(text: str | None) -> str | None:
    """A server default as the database stores it, folded to one spelling per meaning."""
    text = normal_sql(text)
    if text is None:
        return None
    if NOW_SPELLINGS.match(text):
        return "now()"
    unquoted = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else None
    if unquoted is not None and re.fullmatch(r"-?\d+(\.\d+)?", unquoted):
        return unquoted  # '0' and 0
    if text in ("true", "'t'", "'true'", "1"):
        return "1"
    if text in ("false", "'f'", "'false'", "0"):
        return "0"
    return text


def normal_type(text: str) -> str:
    """A column type as comparable text: case folded, synonyms of one type made one."""
    upper = " ".join(text.upper().split())
    return TYPE_SYNONYMS.get(upper, upper)


@dataclass(frozen=True)
class Fact:
    """One thing a schema holds; ``key`` compares, ``text`` is what a learner reads."""

    key: tuple
    text: str
    place: str  # «таблица posts», for grouping the hint


def schema_facts(schema: Schema, names: frozenset[str] = frozenset()) -> dict[tuple, Fact]:
    facts: dict[tuple, Fact] = {}
    for item in schema.items.values():
        if item.table == VERSION_TABLE or (item.kind == "table" and item.name == VERSION_TABLE):
            continue
        fact = _fact(item, names)
        facts[fact.key] = fact
    return facts


def _values(item: Item) -> list[str]:
    return [value for _, value in item.attrs if value]


def _fact(item: Item, names: frozenset[str]) -> Fact:
    place = f"таблица {item.table}" if item.table else "типы"
    label = KIND_LABELS[item.kind]
    named = item.name in names
    if item.kind == "table":
        return Fact(("table", item.name), f"таблица {item.name}", f"таблица {item.name}")
    if item.kind == "column":
        attrs = dict(item.attrs)
        type_, null, default = attrs.get("тип", ""), attrs.get("NULL", ""), attrs.get("DEFAULT")
        default_text = default.removeprefix("DEFAULT ") if default else None
        key = (
            "column",
            item.table,
            item.name,
            normal_type(type_),
            null,
            normal_default(default_text),
        )
        shown = " ".join(v for v in (type_, null or "NULL", default or "") if v)
        return Fact(key, f"колонка {item.table}.{item.name} {shown}", place)
    if item.kind == "enum":
        return Fact(("enum", item.name, *_values(item)), f"{label} {item.describe()}", place)
    # keys, indexes, constraints: what they cover, and their name where the task names it
    values = _values(item) or [item.name]  # an unnamed one carries its content in its name
    kind = item.kind
    if kind == "index" and "UNIQUE" in values and not named:
        kind, values = "unique", [v for v in values if v != "UNIQUE"]  # same guarantee
    if kind == "check":
        values = [normal_sql(v) for v in values]
    key = (kind, item.table, *values, item.name if named else None)
    text = f"{KIND_LABELS[kind]} {' '.join(_values(item)) or item.name}"
    return Fact(key, text + (f" «{item.name}»" if named else ""), place)


def schema_differences(expected: Schema, actual: Schema, names: frozenset[str]) -> list[str]:
    """What the learner's schema lacks and has too much, in Russian, grouped by table."""
    want, have = schema_facts(expected, names), schema_facts(actual, names)
    missing = [want[k] for k in want.keys() - have.keys()]
    extra = [have[k] for k in have.keys() - want.keys()]
    # A table missing or extra as a whole stands for its columns, keys and indexes.
    whole = {f.place for f in missing + extra if f.key[0] == "table"}
    missing = [f for f in missing if f.key[0] == "table" or f.place not in whole]
    extra = [f for f in extra if f.key[0] == "table" or f.place not in whole]
    lines = []
    for fact in sorted(missing, key=lambda f: f.text):
        twin = _same_object(fact, extra)
        if twin is not None:
            extra.remove(twin)
            lines.append(f"{twin.text} — а по заданию должно быть иначе")
        else:
            lines.append(f"нет: {fact.text}")
    lines += [f"лишнее: {fact.text}" for fact in sorted(extra, key=lambda f: f.text)]
    return lines


def _same_object(fact: Fact, candidates: list[Fact]) -> Fact | None:
    """The learner's version of the same column (type or NULL differ)."""
    if fact.key[0] != "column":
        return None
    return next((c for c in candidates if c.key[:3] == fact.key[:3]), None)


# -- data ---------------------------------------------------------------------------------------


def comparable(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return "<время>"
    if isinstance(value, str) and DATETIME_TEXT.match(value.strip()):
        return "<время>"
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, float):
        return round(value, 6)
    if hasattr(value, "name") and hasattr(value, "value"):  # a Python enum from SQLAlchemy
        return value.name
    return value


@dataclass(frozen=True)
class TableData:
    columns: tuple[str, ...]
    rows: Counter | None  # None: too big, compared by count
    count: int


def data_differences(expected: dict[str, TableData], actual: dict[str, TableData]) -> list[str]:
    lines = []
    for table in sorted(set(expected) & set(actual)):
        want, have = expected[table], actual[table]
        if want.rows is None or have.rows is None or want.columns != have.columns:
            if want.count != have.count:
                lines.append(f"в таблице {table} строк {have.count}, а ожидается {want.count}")
            continue
        only_have, only_want = have.rows - want.rows, want.rows - have.rows
        if not only_have and not only_want:
            continue
        example = _example(want.columns, only_have, only_want)
        count = max(sum(only_have.values()), sum(only_want.values()))
        lines.append(f"в таблице {table} отличаются строки: {count}{example}")
    return lines


def _example(columns: tuple[str, ...], only_have: Counter, only_want: Counter) -> str:
    """One differing row, side by side with the expected row of the same id when there is
    one (a row of another id next to it would say nothing)."""
    if only_have and only_want and "id" in columns:
        at = columns.index("id")
        wanted = {row[at]: row for row in sorted(only_want, key=repr)}
        for row in sorted(only_have, key=repr):
            if row[at] in wanted:
                have = _row_text(columns, Counter([row]))
                want = _row_text(columns, Counter([wanted[row[at]]]))
                return f" (например, у вас строка {have}, а ожидается {want})"
    if only_have and only_want and "id" not in columns:
        have, want = _row_text(columns, only_have), _row_text(columns, only_want)
        return f" (например, у вас строка {have}, а ожидается {want})"
    if only_have:
        return f" (например, лишняя строка {_row_text(columns, only_have)})"
    return f" (например, нет строки {_row_text(columns, only_want)})"


def _row_text(columns: tuple[str, ...], rows: Counter) -> str:
    row = sorted(rows, key=repr)[0]
    pairs = ", ".join(f"{c}={v!r}" for c, v in zip(columns, row, strict=False))
    return "{" + pairs + "}"
