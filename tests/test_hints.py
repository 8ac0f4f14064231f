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


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (
            "FAILED: Path doesn't exist: work/11_alembic_ini/alembic.  Please use the 'init' "
            "command to create a new scripts folder.",
            "папки work/11_alembic_ini/alembic нет: `script_location`",
        ),
        (
            "configparser.MissingSectionHeaderError: File contains no section headers.",
            "`[alembic]`",
        ),
        (
            "configparser.InterpolationSyntaxError: '%' must be followed by '%' or '(', "
            "found: '%40ss@localhost/app'",
            "«%40ss@localhost/app» — не подстановка",
        ),
        ("ValueError: list.remove(x): x not in list", "`keys = root,sqlalchemy,alembic`"),
    ],
)
def test_hint_for_alembic_ini_mistakes(output, expected):
    hint = hint_for(CommandResult(argv=["x"], output=output, exit_code=1))
    assert expected in hint
