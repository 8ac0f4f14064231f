"""A database schema flattened into comparable items.

Every object the diff reports — table, column, key, index, constraint, enum type — becomes an
``Item`` with a stable key, so two snapshots compare with plain dict operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Order in which a table's parts are listed, and their Russian names.
KIND_ORDER = ("table", "column", "primary_key", "unique", "index", "check", "foreign_key", "enum")
KIND_LABELS = {
    "table": "таблица",
    "column": "колонка",
    "primary_key": "первичный ключ",
    "unique": "уникальность",
    "index": "индекс",
    "check": "проверка (CHECK)",
    "foreign_key": "внешний ключ",
    "enum": "ENUM-тип",
}

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class Item:
    """One schema object. ``attrs`` are (label, value) pairs, compared and printed in order."""

    kind: str
    table: str | None
    name: str
    attrs: tuple[tuple[str, str], ...] = ()
    # Display order inside the table (columns keep the database's order); not compared.
    position: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[int, str, str]:
        return (KIND_ORDER.index(self.kind), self.table or "", self.name)

    def sort_key(self) -> tuple[int, str, int, str]:
        return (KIND_ORDER.index(self.kind), self.table or "", self.position, self.name)

    def describe(self) -> str:
        """Short text: 'email VARCHAR(120) NOT NULL', 'idx_username (username)'."""
        values = [value for _, value in self.attrs if value]
        return " ".join([self.name, *values]) if values else self.name


@dataclass
class Schema:
    """Everything the diff compares, for one moment of one database."""

    backend: str
    items: dict[tuple[int, str, str], Item] = field(default_factory=dict)
    # Rows of alembic_version; None when the table does not exist yet.
    version: tuple[str, ...] | None = None

    def add(self, item: Item) -> None:
        self.items[item.key] = item

    def tables(self) -> list[str]:
        return sorted(i.name for i in self.items.values() if i.kind == "table")

    def columns(self, table: str) -> list[str]:
        return [i.name for i in self.items.values() if i.kind == "column" and i.table == table]

    def has_table(self, table: str) -> bool:
        return (KIND_ORDER.index("table"), "", table) in self.items


def column_attrs(type_: str, nullable: bool, default: str | None) -> tuple[tuple[str, str], ...]:
    return (
        ("тип", type_),
        ("NULL", "" if nullable else "NOT NULL"),
        ("DEFAULT", f"DEFAULT {default}" if default is not None else ""),
    )


def columns_text(columns: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"
