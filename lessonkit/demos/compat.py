"""The compatibility matrix of lesson 15: every operation the note uses, run for real on SQLite,
PostgreSQL and DuckDB, plain and in batch mode.

Nothing in the matrix is typed by hand: each cell is the outcome of running the operation on a
fresh copy of the same two tables — ✓, ✓ only in batch mode (the operation failed as is and
passed inside ``batch_alter_table(recreate="always")``), or ✗ with the database's own error.
``on_every_database(revision)`` makes one row of a whole revision of the lesson: upgrade, a
statement of the application, downgrade, upgrade again — and a verdict.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from IPython.display import display

from lessonkit.checks.verdict import Verdict
from lessonkit.core.markup import inline_html
from lessonkit.core.portable import remove_tree
from lessonkit.databases.backends import BACKENDS, make_backend
from lessonkit.lesson.state import lesson_to_change

DATABASES = ("sqlite", "postgres", "duckdb")
OK, BATCH, FAILED = "ok", "batch", "failed"


def base_tables(ops: Operations) -> None:
    """users and posts as the note's table-ops migration finds them."""
    ops.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120)),
        sa.Column("bio", sa.Text),
        sa.Column("temporary_field", sa.String(50)),
        sa.Column("age", sa.Integer),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    ops.create_index("idx_users_age", "users", ["age"])
    ops.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer),
    )


@dataclass(frozen=True)
class Operation:
    code: str  # what the matrix shows: the Alembic call
    run: Callable[[Operations], None]
    table: str | None = "users"  # the table batch mode works on; None: no batch form


def _batch(op: Operation) -> Callable[[Operations], None]:
    """The same call inside batch_alter_table: ops.x(table, ...) becomes batch.x(...)."""

    def run(ops: Operations) -> None:
        with ops.batch_alter_table(op.table, recreate="always") as batch:
            op.run(_BatchAdapter(batch, op.table))

    return run


class _BatchAdapter:
    """Operations-like: drops the table argument that batch operations do not take."""

    def __init__(self, batch, table: str):
        self.batch, self.table = batch, table

    def __getattr__(self, name):
        method = getattr(self.batch, name)

        def call(*args, **kwargs):
            args = list(args)
            if name.endswith("_column") and args and args[0] == self.table:
                args.pop(0)  # add_column(table, column) → add_column(column)
            elif len(args) >= 2 and args[1] == self.table:
                args.pop(1)  # create_index(name, table, cols) → create_index(name, cols)
            kwargs.pop("table_name", None)
            return method(*args, **kwargs)

        return call


NOTE_OPERATIONS: list[Operation] = [
    Operation(
        "create_table('comments', ..., ForeignKey('users.id'))",
        lambda ops: ops.create_table(
            "comments",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        ),
        table=None,
    ),
    Operation(
        "add_column('users', Column('nickname', Text))",
        lambda ops: ops.add_column("users", sa.Column("nickname", sa.Text)),
    ),
    Operation(
        "alter_column('users', 'email', type_=String(255))",
        lambda ops: ops.alter_column(
            "users", "email", existing_type=sa.String(120), type_=sa.String(255)
        ),
    ),
    Operation(
        "alter_column('users', 'email', nullable=False)",
        lambda ops: ops.alter_column(
            "users", "email", existing_type=sa.String(120), nullable=False
        ),
    ),
    Operation(
        "drop_column('users', 'temporary_field')",
        lambda ops: ops.drop_column("users", "temporary_field"),
    ),
    Operation(
        "alter_column('users', 'bio', new_column_name='biography')",
        lambda ops: ops.alter_column("users", "bio", new_column_name="biography"),
    ),
    Operation(
        "create_index('idx_user_email', 'users', ['email'])",
        lambda ops: ops.create_index("idx_user_email", "users", ["email"]),
    ),
    Operation(
        "drop_index('idx_users_age', 'users')", lambda ops: ops.drop_index("idx_users_age", "users")
    ),
    Operation(
        "create_unique_constraint('uq_users_email', 'users', ['email'])",
        lambda ops: ops.create_unique_constraint("uq_users_email", "users", ["email"]),
    ),
    Operation(
        "create_check_constraint('ck_age_positive', 'users', 'age > 0')",
        lambda ops: ops.create_check_constraint("ck_age_positive", "users", "age > 0"),
    ),
    Operation(
        "drop_constraint('uq_users_username', 'users', type_='unique')",
        lambda ops: ops.drop_constraint("uq_users_username", "users", type_="unique"),
    ),
    Operation(
        "create_foreign_key('fk_posts_user', 'posts', 'users', ['user_id'], ['id'])",
        lambda ops: ops.create_foreign_key("fk_posts_user", "posts", "users", ["user_id"], ["id"]),
        table="posts",
    ),
    Operation(
        "rename_table('posts', 'articles')",
        lambda ops: ops.rename_table("posts", "articles"),
        table=None,
    ),
    Operation(
        "bulk_insert(users, [{'username': 'admin'}, ...])",
        lambda ops: ops.bulk_insert(
            sa.table("users", sa.column("username")), [{"username": "admin"}, {"username": "bob"}]
        ),
        table=None,
    ),
    Operation(
        'execute("CREATE TABLE logs (id SERIAL PRIMARY KEY, created_at TIMESTAMP DEFAULT NOW())")',
        lambda ops: ops.execute(
            "CREATE TABLE logs (id SERIAL PRIMARY KEY, created_at TIMESTAMP DEFAULT NOW())"
        ),
        table=None,
    ),
]


@dataclass
class Outcome:
    kind: str  # OK, BATCH or FAILED
    error: str = ""

    def text(self) -> str:
        if self.kind == OK:
            return "✓"
        if self.kind == BATCH:
            return "✓ только в batch"
        return f"✗ {self.error}"


@dataclass
class Matrix:
    databases: tuple[str, ...]
    rows: list[tuple[Operation, dict[str, Outcome]]] = field(default_factory=list)

    def outcome(self, code_fragment: str, db: str) -> Outcome:
        """The outcome of the operation whose code contains ``code_fragment``."""
        for op, outcomes in self.rows:
            if code_fragment in op.code:
                return outcomes[db]
        raise KeyError(code_fragment)

    def _titles(self) -> list[str]:
        return [BACKENDS[db].title for db in self.databases]

    def _repr_pretty_(self, printer, cycle) -> None:
        lines = ["операция | " + " | ".join(self._titles())]
        for op, outcomes in self.rows:
            lines.append(op.code + " | " + " | ".join(outcomes[db].text() for db in self.databases))
        printer.text("\n".join(lines))

    def _repr_html_(self) -> str:
        colours = {OK: "#dafbe1", BATCH: "#fff8c5", FAILED: "#ffebe9"}
        head = "".join(f"<th style='text-align:left'>{html.escape(t)}</th>" for t in self._titles())
        body = []
        for op, outcomes in self.rows:
            cells = "".join(
                f"<td style='text-align:left;background:{colours[o.kind]};vertical-align:top'>"
                f"{html.escape(o.text())}</td>"
                for o in (outcomes[db] for db in self.databases)
            )
            body.append(
                f"<tr><td style='text-align:left;vertical-align:top'>{inline_html(f'`{op.code}`')}"
                f"</td>{cells}</tr>"
            )
        return (
            "<table class='lessonkit-matrix' style='font-size:var(--jp-content-font-size1)'>"
            f"<tr><th style='text-align:left'>операция</th>{head}</tr>{''.join(body)}</table>"
        )


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= 160 else line[:157] + "…"


def _attempt(backend, run: Callable[[Operations], None]) -> str | None:
    """A fresh database with the two tables, then the operation in one transaction; the
    error's first line, or None when it passed."""
    if backend.name == "postgres":  # an empty schema is faster than a new database
        with backend.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        backend.reset()  # a new file: nothing a failed batch left behind survives
    engine = backend.engine
    with engine.begin() as conn:
        base_tables(Operations(MigrationContext.configure(conn)))
    try:
        with engine.begin() as conn:
            run(Operations(MigrationContext.configure(conn)))
    except Exception as error:  # the database's (or Alembic's) refusal is the result
        return _first_line(error)
    return None


def compatibility_matrix(
    operations: list[Operation] | None = None, databases: tuple[str, ...] = DATABASES
) -> Matrix:
    """Run each operation on each database (throw-away databases of the active lesson)."""
    lesson = lesson_to_change()
    matrix = Matrix(databases)
    backends = {}
    for db in databases:
        folder = lesson.sandbox / ".compat" / db
        folder.mkdir(parents=True, exist_ok=True)
        backends[db] = make_backend(db, f"{lesson.name}_compat", folder, fixed=True)
        backends[db].reset()
    try:
        for op in operations or NOTE_OPERATIONS:
            outcomes = {}
            for db, backend in backends.items():
                error = _attempt(backend, op.run)
                if error is None:
                    outcomes[db] = Outcome(OK)
                    continue
                batch_error = _attempt(backend, _batch(op)) if op.table is not None else None
                if op.table is not None and batch_error is None:
                    outcomes[db] = Outcome(BATCH)
                elif batch_error is not None:
                    outcomes[db] = Outcome(FAILED, f"{error}; в batch: {batch_error}")
                else:
                    outcomes[db] = Outcome(FAILED, error)
            matrix.rows.append((op, outcomes))
    finally:
        for backend in backends.values():
            backend.dispose()
            backend.destroy()
        remove_tree(lesson.sandbox / ".compat")
    return matrix


def _columns(ops: Operations) -> dict[str, list[str]]:
    """Tables and their columns, as the database sees them."""
    inspector = sa.inspect(ops.get_bind())
    return {
        table: sorted(c["name"] for c in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }


def on_every_database(revision: str, sql: str | None = None, before: str | None = None) -> Verdict:
    """A revision of the lesson on SQLite, PostgreSQL and DuckDB, on the matrix's two tables:
    ``before`` (rows the application already has), upgrade(), ``sql`` (what the application does
    next), downgrade() — the tables and columns must be those from before upgrade() — and
    upgrade() again. Shows the row of the matrix; ✅ when every database passed."""
    lesson = lesson_to_change()
    script = ScriptDirectory.from_config(Config(str(lesson.sandbox / "alembic.ini")))
    try:
        module = script.get_revision(revision).module
    except (CommandError, AttributeError):
        return Verdict(False, f"ревизии {revision} нет.", "создайте её и примените.")

    def run(ops: Operations) -> None:
        if before:
            ops.execute(before)
        columns = _columns(ops)
        with Operations.context(ops.migration_context):
            module.upgrade()
            if sql:
                ops.execute(sql)
            module.downgrade()
            if _columns(ops) != columns:
                raise RuntimeError("после downgrade() таблицы и колонки не те, что до upgrade()")
            module.upgrade()

    matrix = compatibility_matrix(
        [Operation(f"{revision}: upgrade, downgrade, upgrade", run, None)]
    )
    display(matrix)
    failed = [f"{db}: {o.error}" for _, row in matrix.rows for db, o in row.items() if o.kind != OK]
    if failed:
        return Verdict(
            False,
            f"ревизия {revision} не проходит: " + "; ".join(failed),
            "найдите в матрице ✗ и прочитайте ошибку.",
        )
    return Verdict(True, f"ревизия {revision} проходит туда и обратно на всех трёх базах.")
