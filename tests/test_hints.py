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
    ],
)
def test_hint_for_alembic_message(output, expected):
    hint = hint_for(CommandResult(argv=["x"], output=output, exit_code=255))
    assert hint != GENERIC and expected in hint


def test_merge_without_revisions_gets_the_heads_example():
    output = "alembic merge: error: the following arguments are required: revisions"
    hint = hint_for(
        CommandResult(argv=["merge", "-m", "merge branches"], output=output, exit_code=2)
    )
    assert '`%alembic merge -m "merge branches" heads`' in hint


def test_an_unknown_revision_from_the_database_is_told_apart_from_a_typo():
    output = "FAILED: Can't locate revision identified by '003_merge'"
    from_database = hint_for(CommandResult(argv=["current"], output=output, exit_code=255))
    assert "alembic_version" in from_database and "ветку git" in from_database
    typed = hint_for(CommandResult(argv=["downgrade", "003_merge"], output=output, exit_code=255))
    assert "ни в папке versions, ни в alembic_version" in typed
