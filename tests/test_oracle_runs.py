"""The exercise oracle's parts that lessons 14–18 rely on: seeded rows that stay clear of an
ENUM value the exercise removes, observers that run what a task states (the DBA's offline
script, a new empty database, the project's pytest, the driver env.py connects with), and
type spellings that mean the same column."""

from __future__ import annotations

import pytest
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


# -- comparing ------------------------------------------------------------------------------------


def test_one_column_type_has_one_spelling():
    from lessonkit.checks.oracle.compare import normal_type

    assert normal_type("DATETIME") == normal_type("timestamp") == "TIMESTAMP"
    assert normal_type("TIMESTAMP WITHOUT TIME ZONE") == "TIMESTAMP"
    assert normal_type("TIMESTAMP WITH TIME ZONE") != "TIMESTAMP"  # an instant: another type
    assert normal_type("VARCHAR(30)") != normal_type("VARCHAR(50)")


def test_a_differing_row_is_shown_next_to_its_own_expected_row():
    from collections import Counter

    from lessonkit.checks.oracle.compare import TableData, data_differences

    columns = ("email", "id")
    want = TableData(columns, Counter({(None, 1): 1, ("b@x", 2): 1, (None, 3): 1}), 3)
    have = TableData(columns, Counter({(None, 1): 1, ("b@x", 2): 1, ("c@x", 3): 1}), 3)
    (line,) = data_differences({"users": want}, {"users": have})
    assert "у вас строка {email='c@x', id=3}, а ожидается {email=None, id=3}" in line


def test_the_graph_hint_names_the_revision_that_differs():
    from lessonkit.checks.oracle.observers import graph

    merged = ((("a", ()), ("b", ("a",)), ("c", ("a",)), ("m", ("b", "c"))), ("m",))
    linear = ((("a", ()), ("b", ("a",)), ("c", ("b",)), ("m", ("c",))), ("m",))
    without_c = ((("a", ()), ("b", ("a",)), ("m", ("b",))), ("m",))
    assert "у c родители b, а ожидаются a" in graph().describe(merged, linear)
    assert "нет ревизии c" in graph().describe(merged, without_c)


# -- observers that run what a task states ------------------------------------------------------

SCRIPT = """INFO  [alembic.runtime.migration] Context impl SQLiteImpl.
INFO  [alembic.runtime.migration] Generating static SQL
BEGIN TRANSACTION;

-- Running upgrade 001 -> 002

INSERT INTO users (username, email) VALUES ('O''Brien; Jr', 'ob@example.com');

UPDATE alembic_version SET version_num='002' WHERE alembic_version.version_num = '001';

COMMIT;
"""


def test_an_offline_script_becomes_its_statements():
    from lessonkit.checks.oracle.run_observers import script_statements

    assert script_statements(SCRIPT) == [
        "INSERT INTO users (username, email) VALUES ('O''Brien; Jr', 'ob@example.com')",
        "UPDATE alembic_version SET version_num='002' WHERE alembic_version.version_num = '001'",
    ]


USERS = '''"""users

Revision ID: 001
Revises:
"""
import pytest
import sqlalchemy as sa
from alembic import op

revision = "001"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("username", sa.String(50), nullable=False))


def downgrade():
    op.drop_table("users")
'''

ADMIN = '''"""admin

Revision ID: 002
Revises: 001
"""
import pytest
import sqlalchemy as sa
from alembic import op

revision = "002"
down_revision = "001"
users = sa.table("users", sa.column("username", sa.String))


def upgrade():
    op.bulk_insert(users, [{"username": "admin"}])


def downgrade():
    op.execute(users.delete().where(users.c.username == "admin"))
'''


def _side_of(lesson, revisions: dict[str, str], apply: str):
    """A check's copy of ``lesson`` with these revision files, its database at ``apply``."""
    from lessonkit.checks.oracle.sides import Side
    from lessonkit.cli.command import run_alembic

    for name, text in revisions.items():
        (lesson.sandbox / "alembic" / "versions" / name).write_text(text, encoding="utf-8")
    assert run_alembic(["upgrade", apply], lesson.sandbox).ok
    side = Side(lesson, 1, "b")
    side.load(lesson, lesson)
    return side


def test_the_offline_script_runs_on_a_copy_as_a_dba_would(make_lesson):
    from lessonkit.checks.oracle.run_observers import offline_run

    lesson = make_lesson()
    side = _side_of(lesson, {"001_users.py": USERS, "002_admin.py": ADMIN}, "001")
    seen = offline_run("upgrade 001:002").observe(side)
    status, version, rows = seen
    assert (status, version) == ("выполнен", ("002",))
    assert dict(rows)["users"] == (((1, "admin"), 1),)
    assert side.query("SELECT count(*) FROM users") == [(0,)], "the side itself is untouched"
    broken = ADMIN.replace(
        "op.bulk_insert(users, [{", "op.get_bind().execute(sa.text('SELECT 1')).scalar() + 1 or [{"
    )
    (side.sandbox / "alembic" / "versions" / "002_admin.py").write_text(broken, encoding="utf-8")
    assert offline_run("upgrade 001:002").observe(side)[0] == "не строится"


def test_a_fresh_database_shows_what_the_history_builds(make_lesson):
    from lessonkit.checks.oracle.run_observers import fresh_database

    lesson = make_lesson()
    side = _side_of(lesson, {"001_users.py": USERS}, "001")
    observer = fresh_database()
    good = observer.observe(side)
    assert [step[:2] for step in good] == [("upgrade head", "прошла"), ("downgrade base", "прошла")]
    assert any(key[:3] == ("column", "users", "username") for key in good[0][2])
    assert good[1][2] == (), "downgrade base leaves nothing"
    leaky = USERS.replace('op.drop_table("users")', "pass")
    (side.sandbox / "alembic" / "versions" / "001_users.py").write_text(leaky, encoding="utf-8")
    bad = observer.observe(side)
    assert "после `alembic downgrade base` лишнее: таблица users" in observer.describe(good, bad)


@pytest.mark.heavy
def test_the_projects_tests_are_run_as_ci_runs_them(make_lesson):
    from lessonkit.checks.oracle.run_observers import pytest_result

    lesson = make_lesson()
    side = _side_of(lesson, {"001_users.py": USERS}, "001")
    (side.sandbox / "test_project.py").write_text(
        "def test_ok():\n    assert True\n\n\ndef test_broken():\n    assert False\n",
        encoding="utf-8",
    )
    value = pytest_result().observe(side)
    assert value == (("test_broken", "FAILED"), ("test_ok", "PASSED"))
    hint = pytest_result().describe((("test_broken", "PASSED"), ("test_ok", "PASSED")), value)
    assert "test_broken (FAILED)" in hint


def test_the_driver_env_py_connects_with(make_lesson):
    from lessonkit.checks.oracle.run_observers import connection_driver

    lesson = make_lesson()
    side = _side_of(lesson, {"001_users.py": USERS}, "001")
    assert connection_driver().observe(side) == (("sqlite", "pysqlite", False),)
