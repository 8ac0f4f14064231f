"""Adversarial data for exercise checks: the same rows on both copies a check compares.

A check that runs a migration on a table with one or two rows cannot tell a `WHERE`-less
`UPDATE` from a correct one, nor a downgrade that loses data from one that keeps it. Before
the learner's migration and the course's solution run, each table of the starting database gets
a dozen more rows: names with apostrophes and quotes, Cyrillic, NULL wherever a column allows
it, e-mail addresses in and outside example.com, foreign keys pointing at existing rows. Rows
the database refuses (a CHECK, a UNIQUE clash) are skipped one by one. The values depend on
the row's number only: seeding the same database twice gives the same rows.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.databases.schema.model import VERSION_TABLE

ROWS = 12
NAMES = ("O'Brien", 'Quote "Q"', "Ёжик", "d'Artagnan", "semi;colon", "  spaced  ", "100%")
DOMAINS = ("example.com", "mail.ru", "example.org")
MOMENT = datetime.datetime(2024, 3, 1, 9, 30)


def seed_database(
    engine: sa.Engine,
    rows: int = ROWS,
    skip: tuple[str, ...] = (),
    avoid: frozenset[str] = frozenset(),
) -> int:
    """Add ``rows`` rows to every table (alembic_version and ``skip`` aside); returns how many
    rows went in. ``avoid``: ENUM values no seeded row may hold (a value the exercise's
    downgrade removes by design: a row holding it could never be rolled back)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    added = 0
    with engine.connect() as conn:
        _catch_up_sequences(conn, metadata)  # rows the lesson inserted with explicit ids
        conn.commit()
        for table in metadata.sorted_tables:  # parents before children: FKs find their rows
            if table.name == VERSION_TABLE or table.name in skip:
                continue
            for number in range(rows):
                values = _row(conn, table, number, avoid)
                if values is None:
                    continue
                try:  # a transaction per row: DuckDB has no SAVEPOINT
                    conn.execute(table.insert().values(**values))
                    conn.commit()
                    added += 1
                except SQLAlchemyError:  # a CHECK, a UNIQUE clash, a trigger: skip this row
                    conn.rollback()
        _catch_up_sequences(conn, metadata)
        conn.commit()
    return added


def _row(
    conn: sa.Connection, table: sa.Table, number: int, avoid: frozenset[str] = frozenset()
) -> dict | None:
    values = {}
    for column in table.columns:
        if _database_fills(column, conn.dialect.name):
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is not None:
            parent = _existing_key(conn, foreign.column, number)
            if parent is None and not column.nullable:
                return None  # no parent row to point at
            values[column.name] = None if column.nullable and number % 4 == 3 else parent
            continue
        if column.nullable and not column.primary_key and number % 3 == 2:
            values[column.name] = None
            continue
        values[column.name] = _value(conn, table, column, number, avoid)
    return values


def _database_fills(column: sa.Column, dialect: str) -> bool:
    """An integer primary key with a generator (SQLite's rowid, SERIAL, IDENTITY, a DuckDB
    sequence): the database numbers the row itself, as the application would let it. DuckDB
    has no rowid: without a default its key is given explicitly."""
    if column is not column.table.autoincrement_column:
        return False
    has_generator = column.server_default is not None or column.identity is not None
    return has_generator or dialect == "sqlite"


def _existing_key(conn: sa.Connection, target: sa.Column, number: int):
    # The first few keys are enough (a million-row parent in lesson 17 must not be read whole).
    keys = conn.execute(sa.select(target).order_by(target).limit(ROWS)).scalars().all()
    return keys[number % len(keys)] if keys else None


def _value(
    conn: sa.Connection,
    table: sa.Table,
    column: sa.Column,
    number: int,
    avoid: frozenset[str] = frozenset(),
):
    type_ = column.type
    if column.primary_key and isinstance(type_, sa.Integer):
        highest = conn.execute(sa.select(sa.func.max(column))).scalar() or 0
        return highest + 1
    if isinstance(type_, sa.Enum) and type_.enums:
        allowed = [value for value in type_.enums if value not in avoid] or type_.enums
        return allowed[number % len(allowed)]
    if isinstance(type_, sa.Boolean):
        return number % 2 == 0
    if isinstance(type_, sa.Integer):
        return 1000 + number
    if isinstance(type_, sa.Numeric | sa.Float):
        return decimal.Decimal(number) + decimal.Decimal("0.5")
    if isinstance(type_, sa.DateTime):
        return MOMENT + datetime.timedelta(days=number)
    if isinstance(type_, sa.Date):
        return (MOMENT + datetime.timedelta(days=number)).date()
    if isinstance(type_, sa.Time):
        return datetime.time(9, number % 60)
    if isinstance(type_, sa.JSON):
        return {"n": number, "text": NAMES[number % len(NAMES)]}
    if isinstance(type_, sa.LargeBinary):
        return bytes([number])
    if isinstance(type_, sa.String | sa.Text):
        return _text(column, number)
    return None if column.nullable else str(number)


def _text(column: sa.Column, number: int) -> str:
    name = column.name.lower()
    base = NAMES[number % len(NAMES)]
    if "mail" in name:
        text = f"seed{number}@{DOMAINS[number % len(DOMAINS)]}"
    elif "json" in name or "payload" in name:
        text = json.dumps({"seed": number, "name": base}, ensure_ascii=False)
    else:
        text = f"{base} {number}"  # the number keeps UNIQUE columns unique
    length = getattr(column.type, "length", None)
    return text[-length:] if length else text


def _catch_up_sequences(conn: sa.Connection, metadata: sa.MetaData) -> None:
    """PostgreSQL: rows inserted with an explicit id leave a sequence behind; the next INSERT
    without an id (the migration's own) would collide with them."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence:
                conn.execute(
                    sa.text(
                        f"SELECT setval(:sequence, coalesce((SELECT max({column.name}) FROM "
                        f'"{table.name}"), 0) + 1, false)'
                    ),
                    {"sequence": sequence},
                )


def values_of(value: object) -> object:
    """A value as the comparison of two databases sees it (enums by name)."""
    return value.name if isinstance(value, enum.Enum) else value
