"""Russian hints for the messages lessons show (Alembic 1.20 / PostgreSQL 18, exact lines)."""

from __future__ import annotations

import pytest

from lessonkit.cli.command import CommandResult
from lessonkit.view.hints import GENERIC, hint_for


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
        # 07.1: what a half-done SQLite migration left; the cause is the driver, not Alembic
        ("(sqlite3.OperationalError) table posts already exists", "не отправляет BEGIN перед DDL"),
        ('(psycopg.errors.UndefinedObject) type "genderenum" does not exist', "checkfirst=True"),
        ('unsafe use of new value "OTHER" of enum type genderenum', "autocommit_block"),
        ('invalid input value for enum genderenum: "OTHER"', "`%sql UPDATE ...`"),
        (
            "AttributeError: 'Config' object has no attribute 'config_loader_name'",
            "config.config_ini_section",
        ),
        (
            "FAILED: Can't proceed with --autogenerate option; environment script "
            "alembic/env.py does not provide a MetaData object or sequence of objects to the "
            "context.",
            "target_metadata = Base.metadata",
        ),
        (
            "ValueError: invalid interpolation syntax in "
            "'postgresql+psycopg://app:p%40ss@db.example.com/app' at position 26",
            "url.replace('%', '%%')",
        ),
        ("KeyError: 'DATABASE_URL'", "export DATABASE_URL="),
        ("ModuleNotFoundError: No module named 'database'", "prepend_sys_path = ."),
        (
            "INFO  [alembic.autogenerate.compare.tables] Detected removed table 'users'\n"
            "FAILED: New upgrade operations detected: [('remove_table', Table('users', ...",
            "удалить таблицу users",
        ),
        (
            "FAILED: New upgrade operations detected: [('add_column', None, 'users', ...",
            "revision --autogenerate",
        ),
        (
            "FAILED: Can't specify insert_before or insert_after when using ALTER; please "
            "specify recreate='always'",
            "recreate='always'",
        ),
        # Alembic refuses a folder with files in it, not a folder that exists (lesson 01).
        ("FAILED: Directory alembic already exists and is not empty", "уже есть файлы"),
        # A duplicated revision id is named as such, not «merge the heads» (lesson 05.1).
        (
            "UserWarning: Revision 003_add_comments is present more than once\n"
            "FAILED: Multiple head revisions are present for given argument 'head'",
            "номер ревизии 003_add_comments записан в двух файлах",
        ),
        (
            # SQLite: add_column(insert_after=...) as the first step of a batch whose later
            # drop_column would rebuild the table (07.2): the order inside the block matters.
            "alembic.util.exc.CommandError: Can't specify insert_before or insert_after when "
            "using ALTER; please specify recreate='always'",
            "Поставьте add_column после",
        ),
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
    # an ambiguous prefix gets the same message as a missing revision (Alembic 1.20)
    output = "FAILED: Can't locate revision identified by '00'"
    prefix = hint_for(CommandResult(argv=["upgrade", "00"], output=output, exit_code=255))
    assert "несколько ревизий" in prefix


def test_a_step_inside_a_range_is_explained_and_never_suggested_back(make_lesson):
    """Lesson 04: `history -r 002_add_posts+1:head` once got «Возможно, вы имели в виду» with
    the very command typed. A step from a known revision is explained instead; a typo inside
    a range gets no suggestion identical to what was typed."""
    lesson = make_lesson()
    (lesson.sandbox / "alembic" / "versions" / "002_add_posts.py").write_text(
        'revision = "002_add_posts"\ndown_revision = None\n', encoding="utf-8"
    )
    output = "FAILED: Can't locate revision identified by '002_add_posts+1'"
    argv = ["history", "-r", "002_add_posts+1:head"]
    hint = hint_for(CommandResult(argv=argv, output=output, exit_code=255))
    assert "шаг от ревизии" in hint and "Возможно" not in hint
    output = "FAILED: Can't locate revision identified by '002_add_post'"
    argv = ["history", "-r", "002_add_post:head"]
    hint = hint_for(CommandResult(argv=argv, output=output, exit_code=255))
    assert "history -r 002_add_post:head" not in hint
