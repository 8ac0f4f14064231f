"""Observers that look past the schema and the data of a side's final state:

    rows("SELECT ... FROM admins")   what a query returns after each step (a VIEW, which the
                                     schema leaves out)
    models("models.py")              what the models in a file declare: columns, their types,
                                     server defaults, Python defaults, indexes
    autogenerate_sees()              which model tables autogenerate compares (an include_object
                                     that hides everything passes `alembic check` too)

Each value compares equal for every correct way of writing it: rows as a multiset, a server
default folded as the schema comparison folds it (``func.now()`` = ``text("CURRENT_TIMESTAMP")``).
"""

from __future__ import annotations

import re
import runpy
import sys
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks.oracle.compare import comparable, normal_default
from lessonkit.checks.oracle.observers import Observer

# What a column fact holds after its table and name, as a hint names it.
ASPECTS = ("тип", "NULL / NOT NULL", "server_default", "default (в Python)")
ADDED_TABLE = re.compile(r"Detected added table '([^']+)'|\('add_table', Table\('([^']+)'")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class rows(Observer):
    """The rows a query returns after each step (upgrade, downgrade, upgrade), in any order:
    a VIEW the downgrade leaves behind shows up here, since the schema holds no views."""

    sql: str
    each_step = True

    @property
    def title(self) -> str:
        return f"запрос `{self.sql}`"

    def observe(self, side) -> object:
        try:
            with side.backend.engine.connect() as conn:
                found = Counter(
                    tuple(comparable(v) for v in row) for row in conn.execute(sa.text(self.sql))
                )
        except SQLAlchemyError as exc:
            return ("ошибка", _first_line(exc))
        finally:
            side.backend.dispose()
        return tuple(sorted(found.items(), key=repr))

    def describe(self, expected, actual) -> str:
        if actual and actual[0] == "ошибка":
            return f"{self.title} завершается с ошибкой: {actual[1]}"
        if expected and expected[0] == "ошибка":
            return f"{self.title} выполняется, а ожидается ошибка: {expected[1]}"
        have = sum(count for _, count in actual) if actual else 0
        want = sum(count for _, count in expected) if expected and expected[0] != "ошибка" else 0
        if have != want:
            return f"{self.title} возвращает строк: {have}, а ожидается {want}"
        return f"{self.title} возвращает не те строки"


@dataclass
class models(Observer):
    """What the models of a sandbox file declare: per column its type as written
    (``DateTime(timezone=True)``), NULL, the server default (folded) and whether it has a
    Python-side default; indexes by their columns. The file runs apart from sys.modules, so
    the kernel's own ``import models`` is not disturbed."""

    path: str = "models.py"

    @property
    def title(self) -> str:
        return f"модели в {self.path}"

    def observe(self, side) -> object:
        full = side.sandbox / self.path
        if not full.is_file():
            return None
        sys.path.insert(0, str(full.parent))
        try:
            namespace = runpy.run_path(str(full), run_name="_course_models_probe")
        except Exception as exc:  # the learner's file may not even import
            return ("ошибка", f"{type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            sys.path.remove(str(full.parent))
        dialect = side.backend.engine.dialect
        facts = set()
        for metadata in _metadatas(namespace):
            for table in metadata.tables.values():
                for column in table.columns:
                    facts.add(_column_fact(table.name, column, dialect))
                for index in table.indexes:
                    columns = tuple(c.name for c in index.columns)
                    facts.add((table.name, "index", columns, bool(index.unique)))
        return tuple(sorted(facts, key=repr))

    def describe(self, expected, actual) -> str:
        if actual is None:
            return f"нет файла {self.path}"
        if actual and actual[0] == "ошибка":
            return f"{self.path} не выполняется: {actual[1]}"
        want = {fact[:2]: fact for fact in expected or () if fact[1] != "index"}
        have = {fact[:2]: fact for fact in actual if fact[1] != "index"}
        parts = []
        for key in sorted(want.keys() | have.keys()):
            if key not in have:
                parts.append(f"нет колонки {key[0]}.{key[1]}")
            elif key not in want:
                parts.append(f"лишняя колонка {key[0]}.{key[1]}")
            elif want[key] != have[key]:
                aspects = [
                    label
                    for label, a, b in zip(ASPECTS, want[key][2:], have[key][2:], strict=True)
                    if a != b
                ]
                parts.append(f"у колонки {key[0]}.{key[1]} отличается: {', '.join(aspects)}")
        indexes = {f for f in set(expected or ()) ^ set(actual) if f[1] == "index"}
        if indexes:
            parts.append("другие индексы")
        return f"модель в {self.path} не та: " + ("; ".join(parts[:4]) or "другие таблицы")


def _metadatas(namespace: dict) -> list[sa.MetaData]:
    """Every MetaData a models file defines: of its declarative bases, or on its own."""
    found: dict[int, sa.MetaData] = {}
    for value in namespace.values():
        metadata = value if isinstance(value, sa.MetaData) else getattr(value, "metadata", None)
        if isinstance(metadata, sa.MetaData):
            found[id(metadata)] = metadata
    return list(found.values())


def _column_fact(table: str, column: sa.Column, dialect) -> tuple:
    server = None
    default = column.server_default
    if isinstance(default, sa.DefaultClause):
        arg = default.arg
        server = f"'{arg}'" if isinstance(arg, str) else str(arg.compile(dialect=dialect))
    return (
        table,
        column.name,
        repr(column.type),
        "NULL" if column.nullable else "NOT NULL",
        normal_default(server),
        "default в Python" if column.default is not None else "",
    )


@dataclass
class autogenerate_sees(Observer):
    """The model tables autogenerate compares: `alembic check` against an empty database of
    the same kind, stamped at head, reports each table it would create. An env.py filter
    (include_object, include_name) that hides a model table hides it here too."""

    title = "таблицы моделей, которые видит автогенерация"

    def observe(self, side) -> object:
        from lessonkit.checks.oracle.sides import Side, files

        probe = Side(side.real, 0, "probe", side.config)
        probe.clear()
        for path in files(side.sandbox, skip_database=True):
            target = probe.sandbox / path.relative_to(side.sandbox)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        probe.point_ini_at_own_database(side.backend.ini_url)
        stamped = probe.alembic("stamp", "heads")
        if not stamped.ok:
            return ("ошибка",)
        output = probe.alembic("check").output
        return tuple(sorted({a or b for a, b in ADDED_TABLE.findall(output)}))

    def describe(self, expected, actual) -> str:
        if actual == ("ошибка",):
            return "Alembic не может выполнить команды этого проекта"
        hidden = sorted(set(expected) - set(actual))
        if hidden:
            return f"автогенерация не видит таблиц моделей: {', '.join(hidden)}"
        return (
            f"автогенерация видит лишние таблицы: {', '.join(sorted(set(actual) - set(expected)))}"
        )
