"""Read a live database into a ``Schema``.

All three databases are read with SQLAlchemy's Inspector (its multi-table calls, one round
trip per kind of object); DuckDB's comes from duckdb-sqlalchemy.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lessonkit.databases.schema.model import (
    VERSION_TABLE,
    Item,
    Schema,
    column_attrs,
    columns_text,
)

FK_ACTIONS = {"ondelete": "ON DELETE", "onupdate": "ON UPDATE"}


def read_schema(engine: Engine) -> Schema:
    with engine.connect() as conn:
        schema = _read_with_inspector(conn)
        schema.version = _read_version(conn, schema)
        conn.rollback()
    return schema


def _read_version(conn: Connection, schema: Schema) -> tuple[str, ...] | None:
    if not schema.has_table(VERSION_TABLE):
        return None
    rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return tuple(sorted(rows))


def _type_text(type_: sa.types.TypeEngine, dialect: sa.engine.Dialect) -> str:
    try:
        return type_.compile(dialect=dialect)
    except Exception:  # a reflected type the dialect cannot render: show SQLAlchemy's name
        return str(type_)


def _read_with_inspector(conn: Connection) -> Schema:
    inspector = sa.inspect(conn)
    schema = Schema(backend=conn.dialect.name)
    tables = inspector.get_table_names()
    for table in tables:
        schema.add(Item("table", None, table))
    if not tables:
        _add_enums(inspector, schema)
        return schema

    def per_table(method: str) -> dict[str, object]:
        # get_multi_* answers {(schema, table): value}; the default schema is None.
        return {key[1]: value for key, value in getattr(inspector, method)().items()}

    for table, columns in per_table("get_multi_columns").items():
        for position, col in enumerate(columns):
            type_text = _type_text(col["type"], conn.dialect)
            attrs = column_attrs(type_text, col["nullable"], col.get("default"))
            schema.add(Item("column", table, col["name"], attrs, position))

    for table, pk in per_table("get_multi_pk_constraint").items():
        if pk and pk.get("constrained_columns"):
            columns = pk["constrained_columns"]
            schema.add(Item("primary_key", table, columns_text(columns)))

    for table, uniques in per_table("get_multi_unique_constraints").items():
        for uq in uniques:
            _add_named(schema, "unique", table, uq.get("name"), columns_text(uq["column_names"]))

    if conn.dialect.name == "sqlite":
        _add_sqlite_inline_uniques(conn, schema, tables)

    for table, indexes in per_table("get_multi_indexes").items():
        for ix in indexes:
            if ix.get("duplicates_constraint"):  # the index behind a UNIQUE: already listed
                continue
            columns = [c if c is not None else "<выражение>" for c in ix["column_names"]]
            flag = "UNIQUE" if ix.get("unique") else ""
            _add_named(schema, "index", table, ix.get("name"), columns_text(columns), flag)

    for table, checks in per_table("get_multi_check_constraints").items():
        for ck in checks:
            _add_named(schema, "check", table, ck.get("name"), ck["sqltext"])

    for table, fks in per_table("get_multi_foreign_keys").items():
        for fk in fks:
            target = f"→ {fk['referred_table']}{columns_text(fk['referred_columns'])}"
            fk_options = fk.get("options") or {}
            options = " ".join(
                f"{clause} {fk_options[key]}"
                for key, clause in FK_ACTIONS.items()
                if fk_options.get(key)
            )
            _add_named(
                schema,
                "foreign_key",
                table,
                fk.get("name"),
                columns_text(fk["constrained_columns"]),
                target,
                options,
            )

    _add_enums(inspector, schema)
    return schema


def _add_sqlite_inline_uniques(conn: Connection, schema: Schema, tables: list[str]) -> None:
    """``username VARCHAR UNIQUE`` written inside a column: SQLAlchemy's SQLite Inspector
    reports only table-level UNIQUE (...) clauses, SQLite itself lists it as an index of
    origin 'u'."""
    for table in tables:
        known = {
            i.describe() for i in schema.items.values() if i.kind == "unique" and i.table == table
        }
        for index in conn.exec_driver_sql(f'PRAGMA index_list("{table}")').mappings():
            if index["origin"] != "u":
                continue
            info = conn.exec_driver_sql(f'PRAGMA index_info("{index["name"]}")').mappings()
            columns = columns_text([row["name"] for row in info])
            if not any(text.endswith(columns) for text in known):
                _add_named(schema, "unique", table, None, columns)


def _add_named(schema: Schema, kind: str, table: str, name: str | None, *values: str) -> None:
    """Unnamed constraints (common on SQLite) are keyed by what they cover."""
    if name:
        schema.add(Item(kind, table, name, tuple(("", v) for v in values if v)))
    else:
        schema.add(Item(kind, table, " ".join(v for v in values if v)))


def _add_enums(inspector: sa.Inspector, schema: Schema) -> None:
    if not hasattr(inspector, "get_enums"):  # only PostgreSQL has named ENUM types
        return
    for enum in inspector.get_enums():
        labels = ", ".join(repr(label) for label in enum["labels"])
        schema.add(Item("enum", None, enum["name"], (("", f"({labels})"),)))
