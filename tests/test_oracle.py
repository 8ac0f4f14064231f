"""The exercise oracle's parts that lessons 14–18 rely on: seeded rows that stay clear of an
ENUM value the exercise removes, observers that run what a task states (the DBA's offline
script, a new empty database, the project's pytest, the driver env.py connects with), and
type spellings that mean the same column."""

from __future__ import annotations

import sqlalchemy as sa

from lessonkit.databases import seed


def test_seeded_enum_values_stay_clear_of_avoided_ones():
    table = sa.Table(
        "users",
        sa.MetaData(),
        sa.Column("gender", sa.Enum("MALE", "FEMALE", "OTHER", "UNKNOWN", name="genderenum")),
    )
    column = table.c.gender
    plain = {seed._value(None, table, column, n) for n in range(seed.ROWS)}
    avoided = {seed._value(None, table, column, n, frozenset({"UNKNOWN"})) for n in range(12)}
    assert plain == {"MALE", "FEMALE", "OTHER", "UNKNOWN"}  # the seed covers every value
    assert avoided == {"MALE", "FEMALE", "OTHER"}
