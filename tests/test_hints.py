"""Russian hints for the messages lessons show (Alembic 1.20 / PostgreSQL 18, exact lines)."""

from __future__ import annotations

import pytest

from lessonkit.alembic_cli import CommandResult
from lessonkit.hints import GENERIC, hint_for


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            "FAILED: Destination 005_add_tags is not a valid downgrade target from current head(s)",
            "`%alembic upgrade 005_add_tags`",
        ),
        (
            "FAILED: Requested range head:base does not refer to ancestor/descendant revisions "
            "along the same branch",
            "`-r base:current`",
        ),
        ("FAILED: Database is not on all head revisions", "`%alembic upgrade head`"),
        ('(psycopg.errors.DuplicateObject) type "genderenum" already exists', "create_type=False"),
        ('(psycopg.errors.UndefinedObject) type "genderenum" does not exist', "checkfirst=True"),
        ('unsafe use of new value "OTHER" of enum type genderenum', "autocommit_block"),
        (
            "FAILED: Can't specify insert_before or insert_after when using ALTER; please "
            "specify recreate='always'",
            "recreate='always'",
        ),
    ],
)
def test_hint_for_alembic_message(output, expected):
    hint = hint_for(CommandResult(argv=["x"], output=output, exit_code=255))
    assert hint != GENERIC and expected in hint
