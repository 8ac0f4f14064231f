"""The oracle's parts that lessons 06–10.2 lean on: the data statements of a whole round trip,
and the observers of probes.py (a query's rows, what models declare, what autogenerate sees)."""

from __future__ import annotations

from lessonkit import check
from lessonkit.checks.oracle.judge import Options, _outcome
from lessonkit.checks.oracle.sides import Side
from lessonkit.cli.command import run_alembic
from lessonkit.demos.autogenerate import operations_in_upgrade

REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down!r}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
"""


def _write_revision(lesson, rev, down, upgrade, downgrade):
    path = lesson.sandbox / "alembic" / "versions" / f"{rev}.py"
    path.write_text(
        REVISION.format(rev=rev, down=down, upgrade=upgrade, downgrade=downgrade), encoding="utf-8"
    )


def _side(lesson, role="t"):
    side = Side(lesson, 9, role)
    side.load(lesson, lesson)
    return side


def _users(lesson):
    _write_revision(
        lesson,
        "001_users",
        None,
        "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), "
        "sa.Column('name', sa.String(50)), sa.Column('role', sa.String(20)))\n"
        "    op.execute(\"INSERT INTO users (name, role) VALUES ('alice', 'admin'), "
        "('bob', 'user')\")",
        "op.drop_table('users')",
    )
    assert run_alembic(["upgrade", "head"], lesson.sandbox).ok


def test_statements_of_the_downgrade_count_too(make_lesson):
    """A value pasted into the downgrade's SQL is seen, not only the upgrade's; Alembic's own
    alembic_version statements are left out."""
    lesson = make_lesson("90_oracle_statements")
    _users(lesson)
    bound = (
        "op.execute(sa.text('UPDATE users SET role = :r WHERE name = :n')"
        ".bindparams(r={r!r}, n='bob'))"
    )
    _write_revision(
        lesson,
        "002_bob",
        "001_users",
        bound.format(r="admin"),
        "op.execute(\"UPDATE users SET role = 'user' WHERE name = 'bob'\")",
    )
    side = _side(lesson)
    outcome = _outcome(side, ("001_users",), ("002_bob",), Options(observe=(check.statements(),)))
    assert outcome.steps["again"].failed is None
    seen = outcome.observed[0]
    assert ("UPDATE", "users", True) in seen and ("UPDATE", "users", False) in seen
    assert all(table != "alembic_version" for _, table, _ in seen)
    text = check.statements().describe((("UPDATE", "users", True),), seen)
    assert "значения вставлены в текст SQL (UPDATE)" in text


def test_rows_compares_what_a_view_returns(make_lesson):
    lesson = make_lesson("90_oracle_rows")
    _users(lesson)
    with lesson.backend.engine.begin() as conn:
        conn.exec_driver_sql("CREATE VIEW admins AS SELECT name FROM users WHERE role = 'admin'")
    side = _side(lesson)
    found = check.rows("SELECT name FROM admins").observe(side)
    assert found == ((("alice",), 1),)
    assert check.rows("SELECT name FROM nope").observe(side)[0] == "ошибка"
    wrong = check.rows("SELECT name FROM admins").describe(found, ((("alice",), 1), (("bob",), 1)))
    assert "возвращает строк: 2, а ожидается 1" in wrong


MODELS = """
from sqlalchemy import Column, DateTime, Integer, func, text
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    created_at = Column({created_at})
"""


def test_models_folds_spellings_and_sees_python_defaults(make_lesson):
    lesson = make_lesson("90_oracle_models")
    side = _side(lesson)
    seen = {}
    for key, created_at in {
        "func": "DateTime(timezone=True), server_default=func.now()",
        "text": 'DateTime(timezone=True), server_default=text("CURRENT_TIMESTAMP")',
        "python": "DateTime(timezone=True), default=func.now()",
        "naive": "DateTime, server_default=func.now()",
    }.items():
        (side.sandbox / "models.py").write_text(
            MODELS.format(created_at=created_at), encoding="utf-8"
        )
        seen[key] = check.models().observe(side)
    assert seen["func"] == seen["text"]
    assert seen["python"] != seen["func"] and seen["naive"] != seen["func"]
    hint = check.models().describe(seen["func"], seen["python"])
    assert "у колонки posts.created_at отличается: server_default, default (в Python)" in hint
    hint = check.models().describe(seen["func"], seen["naive"])
    assert "у колонки posts.created_at отличается: тип" in hint
    (side.sandbox / "models.py").write_text("import nope\n", encoding="utf-8")
    assert check.models().observe(side)[0] == "ошибка"


def test_autogenerate_sees_what_include_object_hides(make_lesson):
    lesson = make_lesson("90_oracle_autogenerate")
    (lesson.sandbox / "models.py").write_text(
        MODELS.format(created_at="DateTime"), encoding="utf-8"
    )
    env = lesson.sandbox / "alembic" / "env.py"
    text = env.read_text(encoding="utf-8")
    if "from models import" not in text:
        text = text.replace(
            "target_metadata = None", "from models import Base\ntarget_metadata = Base.metadata"
        )
    env.write_text(text, encoding="utf-8")
    side = _side(lesson)
    assert check.autogenerate_sees().observe(side) == ("posts",)
    # The filter a learner forgets to finish: no `return True`, so everything is hidden.
    hiding = text.replace(
        "target_metadata = Base.metadata",
        "target_metadata = Base.metadata\n\n\ndef include_object(obj, name, type_, r, c):\n"
        "    if type_ == 'table' and name == 'audit':\n        return False\n",
    ).replace(
        "target_metadata=target_metadata",
        "target_metadata=target_metadata, include_object=include_object",
    )
    (side.sandbox / "alembic" / "env.py").write_text(hiding, encoding="utf-8")
    assert check.autogenerate_sees().observe(side) == ()
    assert "не видит таблиц моделей: posts" in check.autogenerate_sees().describe(("posts",), ())


def test_operations_in_upgrade_reads_python_not_text():
    source = """
def upgrade():
    # op.drop_table('x') in a comment is not an operation
    op.add_column("users", sa.Column("bio", sa.String(500)))
    op.drop_index(op.f("idx_user_email"), table_name="users")


def downgrade():
    op.drop_column("users", "bio")
"""
    assert operations_in_upgrade(source) == ["add_column", "drop_index"]


def test_a_revision_fixed_in_place_is_taken_back_and_applied_again(make_lesson):
    """An applied revision whose file changed: the final state is what the changed file gives
    (its own downgrade, then upgrade), so a fix never re-applied shows up against the learner's
    database, and a fix re-applied compares equal. A change to a revision not applied yet
    takes nothing back, nor does a file that only now holds the revision the database is on
    (lesson 20.1: a squash given back that id)."""
    from lessonkit.checks.oracle.judge import Start, _reapplies
    from lessonkit.checks.oracle.sides import files_digest
    from lessonkit.databases.schema import read_schema

    lesson = make_lesson("90_oracle_reapply")
    created = "op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True), "
    created += "sa.Column('at', sa.DateTime, server_default={default}))"
    drop = "op.drop_table('notes')"
    _write_revision(lesson, "001_notes", None, created.format(default='"now()"'), drop)
    assert run_alembic(["upgrade", "head"], lesson.sandbox).ok
    _write_revision(lesson, "002_later", "001_notes", "pass", "pass")  # written, not applied
    start = Start(
        _side(lesson, "s"), read_schema(lesson.backend.engine), files_digest(lesson.sandbox)
    )
    _write_revision(lesson, "002_later", "001_notes", "op.execute('SELECT 1')", "pass")
    side = _side(lesson, "b")
    assert not _reapplies(side, ("001_notes",), start)
    _write_revision(lesson, "001_notes", None, created.format(default="sa.func.now()"), drop)
    side = _side(lesson, "b")
    assert _reapplies(side, ("001_notes",), start)
    outcome = _outcome(side, ("001_notes",), ("001_notes",), Options(), start)
    (column,) = [
        i
        for i in outcome.steps["final"].schema.items.values()
        if (i.kind, i.name) == ("column", "at")
    ]
    assert "CURRENT_TIMESTAMP" in str(column.attrs)
    renamed = side.sandbox / "alembic" / "versions" / "001_renamed.py"
    (side.sandbox / "alembic" / "versions" / "001_notes.py").rename(renamed)
    assert _reapplies(side, ("001_notes",), start), "a fixed file under another name"

    squash = lesson.sandbox / "alembic" / "versions" / "002_later.py"
    squash.write_text(
        squash.read_text(encoding="utf-8").replace('"002_later"', '"0001_squash"'),
        encoding="utf-8",
    )
    start = Start(_side(lesson, "s"), start.schema, files_digest(lesson.sandbox))
    squash.write_text(
        squash.read_text(encoding="utf-8").replace('"0001_squash"', '"002_later"'),
        encoding="utf-8",
    )
    assert not _reapplies(_side(lesson, "c"), ("002_later",), start)


def test_check_expressions_fold_case_spaces_and_the_two_inequalities():
    from lessonkit.checks.oracle.compare import normal_sql

    assert normal_sql("title <> ''") == normal_sql("TITLE != ''") == normal_sql("(title<>'')")
    assert normal_sql("age > 0") != normal_sql("age >= 0")


def test_a_row_that_differs_is_shown_beside_the_expected_row_of_the_same_id():
    from collections import Counter

    from lessonkit.checks.oracle.compare import TableData, data_differences

    columns = ("content", "id")
    want = TableData(columns, Counter([("a", 1), ("b", 2), ("c", 3)]), 3)
    have = TableData(columns, Counter([("a", 1), ("", 2), ("", 3)]), 3)
    (line,) = data_differences({"posts": want}, {"posts": have})
    assert "у вас строка {content='', id=2}, а ожидается {content='b', id=2}" in line
    extra = TableData(columns, Counter([("a", 1), ("b", 2), ("c", 3), ("d", 4)]), 4)
    (line,) = data_differences({"posts": want}, {"posts": extra})
    assert "лишняя строка {content='d', id=4}" in line


def test_rows_are_read_after_each_step_so_a_view_left_behind_shows(make_lesson):
    lesson = make_lesson("90_oracle_view_steps")
    _users(lesson)
    view = "op.execute(\"CREATE VIEW admins AS SELECT name FROM users WHERE role = 'admin'\")"
    _write_revision(lesson, "002_view", "001_users", view, "op.execute('DROP VIEW admins')")
    options = Options(observe=(check.rows("SELECT name FROM admins"),))
    right = _outcome(_side(lesson, "a"), ("001_users",), ("002_view",), options)
    _write_revision(lesson, "002_view", "001_users", view, "pass")
    left_behind = _outcome(_side(lesson, "b"), ("001_users",), ("002_view",), options)
    assert right.steps["final"].observed == left_behind.steps["final"].observed
    assert right.steps["down"].observed[0][0] == "ошибка"
    assert left_behind.steps["down"].observed[0] == ((("alice",), 1),)
    text = check.rows("SELECT name FROM admins").describe(
        right.steps["down"].observed[0], left_behind.steps["down"].observed[0]
    )
    assert "выполняется, а ожидается ошибка" in text
