"""Every kind of schema change shows up in the diff, on each backend that supports it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from lessonkit.databases.schema import diff_schemas, read_schema
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request, make_lesson):
    if request.param == "postgres":
        request.getfixturevalue("pg_admin_url")
    lesson = make_lesson(f"91_diff_{request.param}", db=request.param, start="empty")
    return lesson.backend


def apply(backend, *ddl):
    """Run Alembic operations (or raw SQL strings) on the lesson database."""
    with backend.engine.begin() as conn:
        ops = Operations(MigrationContext.configure(conn))
        for step in ddl:
            if isinstance(step, str):
                conn.exec_driver_sql(step)
            else:
                step(ops)


def changes(backend, *ddl):
    before = read_schema(backend.engine)
    apply(backend, *ddl)
    diff = diff_schemas(before, read_schema(backend.engine))
    return diff, {(c.op, c.item.kind, c.item.table, c.item.name) for c in diff.changes()}


def users_table(ops):
    ops.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120)),
    )


def with_batch(backend, table, fn):
    """SQLite alters tables only in batch mode, DuckDB adds constraints only to a table it
    recreates (recreate="always"); PostgreSQL takes the plain operation."""

    def step(ops):
        if backend.name == "postgres":
            fn(_TableOps(ops, table))
            return
        recreate = "always" if backend.name == "duckdb" else "auto"
        with ops.batch_alter_table(table, recreate=recreate) as batch:
            fn(batch)

    return step


class _TableOps:
    """ops.x(table, ...) called as batch.x(...)."""

    def __init__(self, ops, table):
        self.ops, self.table = ops, table

    def __getattr__(self, name):
        method = getattr(self.ops, name)
        if name.endswith("_column"):  # add_column(table, column, ...)
            return lambda *a, **kw: method(self.table, *a, **kw)
        # create_index / create_*_constraint / create_foreign_key(name, table, ...)
        return lambda constraint, *a, **kw: method(constraint, self.table, *a, **kw)


def test_new_table_lists_its_columns_and_keys(backend):
    diff, found = changes(backend, users_table)
    assert ("added", "table", None, "users") in found
    assert {name for op, kind, table, name in found if kind == "column"} == {
        "id",
        "username",
        "email",
    }
    assert any(kind == "primary_key" for _, kind, _, _ in found)
    text = diff.text()
    assert "+ таблица users" in text and "username" in text and "NOT NULL" in text


def test_dropped_table(backend):
    apply(backend, users_table)
    _, found = changes(backend, lambda ops: ops.drop_table("users"))
    assert ("removed", "table", None, "users") in found
    assert ("removed", "column", "users", "email") in found


def test_add_and_drop_column(backend):
    apply(backend, users_table)
    _, found = changes(backend, lambda ops: ops.add_column("users", sa.Column("bio", sa.Text)))
    assert found == {("changed", "table", None, "users"), ("added", "column", "users", "bio")}
    _, found = changes(backend, with_batch(backend, "users", lambda b: b.drop_column("bio")))
    assert ("removed", "column", "users", "bio") in found


def test_rename_column_is_a_removal_and_an_addition(backend):
    apply(backend, users_table)
    rename = with_batch(backend, "users", lambda b: b.alter_column("email", new_column_name="mail"))
    _, found = changes(backend, rename)
    assert ("removed", "column", "users", "email") in found
    assert ("added", "column", "users", "mail") in found


def test_alter_type_nullable_and_default(backend):
    apply(backend, users_table)
    alter = with_batch(
        backend,
        "users",
        lambda b: b.alter_column(
            "email",
            existing_type=sa.String(120),
            type_=sa.String(255),
            nullable=False,
            server_default="x",
        ),
    )
    diff, found = changes(backend, alter)
    assert ("changed", "column", "users", "email") in found
    line = next(c.text() for c in diff.changes() if c.item.name == "email")
    # DuckDB does not keep a VARCHAR length: its column is VARCHAR before and after.
    assert backend.name == "duckdb" or "VARCHAR(120) → VARCHAR(255)" in line
    assert "NULL → NOT NULL" in line
    assert "без DEFAULT → DEFAULT" in line


def test_duckdb_type_change(backend):
    if backend.name != "duckdb":
        pytest.skip("DuckDB-specific")
    apply(backend, users_table)
    diff, found = changes(backend, "ALTER TABLE users ALTER email TYPE INTEGER")
    assert ("changed", "column", "users", "email") in found
    assert "VARCHAR → INTEGER" in diff.text()


def test_index_create_and_drop(backend):
    apply(backend, users_table)
    _, found = changes(backend, lambda ops: ops.create_index("ix_email", "users", ["email"]))
    assert ("added", "index", "users", "ix_email") in found
    _, found = changes(backend, lambda ops: ops.drop_index("ix_email", "users"))
    assert ("removed", "index", "users", "ix_email") in found


def test_unique_and_check_constraints(backend):
    apply(backend, users_table)
    add = with_batch(
        backend,
        "users",
        lambda b: (
            b.create_unique_constraint("uq_users_email", ["email"]),
            b.create_check_constraint("ck_users_name", "length(username) > 2"),
        ),
    )
    diff, found = changes(backend, add)
    if backend.name == "duckdb":  # DuckDB names every constraint itself: table_column_kind
        assert ("added", "unique", "users", "users_email_key") in found
        assert ("added", "check", "users", "users_username_check") in found
        return
    assert ("added", "unique", "users", "uq_users_email") in found
    assert ("added", "check", "users", "ck_users_name") in found
    assert "+ уникальность uq_users_email (email)" in diff.text()


def test_constraints_declared_with_the_table(backend):
    """DuckDB takes constraints only in CREATE TABLE; every backend must show them."""

    def posts_table(ops):
        ops.create_table(
            "posts",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
            sa.Column("slug", sa.String(20)),
            sa.UniqueConstraint("slug", name="uq_posts_slug"),
            sa.CheckConstraint("length(slug) > 1", name="ck_posts_slug"),
        )

    apply(backend, users_table)
    diff, found = changes(backend, posts_table)
    assert {kind for _, kind, _, _ in found} >= {"foreign_key", "unique", "check", "primary_key"}
    assert "(user_id) → users(id)" in diff.text()
    assert "(slug)" in diff.text()


def test_foreign_key_added_later(backend):
    apply(backend, users_table)
    apply(
        backend,
        lambda ops: ops.create_table(
            "posts",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("user_id", sa.Integer),
        ),
    )
    add = with_batch(
        backend,
        "posts",
        lambda b: b.create_foreign_key("fk_posts_users", "users", ["user_id"], ["id"]),
    )
    diff, found = changes(backend, add)
    assert any(kind == "foreign_key" and op == "added" for op, kind, _, _ in found)
    assert "(user_id) → users(id)" in diff.text()


def test_alembic_version_is_reported_apart(backend):
    create = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
    diff, found = changes(backend, create, "INSERT INTO alembic_version VALUES ('001')")
    assert found == set()  # the bookkeeping table is not listed as a user table
    assert diff.version_line == "alembic_version: таблица создана, версия 001"
    diff, _ = changes(backend, "UPDATE alembic_version SET version_num = '002'")
    assert diff.version_line == "alembic_version: 001 → 002"
    diff, _ = changes(backend, "DELETE FROM alembic_version")
    assert diff.version_line == "alembic_version: 002 → (пусто)"


def test_no_change(backend):
    apply(backend, users_table)
    diff, found = changes(backend)
    assert diff.empty and found == set()
    assert "Схема не изменилась" in diff.text()
    assert "Схема не изменилась" in diff.html()


def test_postgres_enum_types_and_values(backend):
    if backend.name != "postgres":
        pytest.skip("named ENUM types exist only in PostgreSQL")
    _, found = changes(backend, "CREATE TYPE genderenum AS ENUM ('MALE', 'FEMALE')")
    assert found == {("added", "enum", None, "genderenum")}
    diff, found = changes(backend, "ALTER TYPE genderenum ADD VALUE 'OTHER'")
    assert found == {("changed", "enum", None, "genderenum")}
    assert "('MALE', 'FEMALE') → ('MALE', 'FEMALE', 'OTHER')" in diff.text()
    _, found = changes(backend, "DROP TYPE genderenum")
    assert found == {("removed", "enum", None, "genderenum")}


def test_html_colours_follow_the_change(backend):
    diff, _ = changes(backend, users_table)
    html = diff.html()
    assert "#dafbe1" in html  # added: green
    assert "+ таблица users" in html
