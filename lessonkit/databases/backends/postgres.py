"""PostgreSQL: one database per lesson on the course server.

A reset drops and recreates the lesson database, but only one this course created: every
database it creates carries the comment ``MARK``; any other is left alone, loudly.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from functools import cached_property

import sqlalchemy as sa

from lessonkit.core.errors import DatabaseUnavailable, UnsafeReset
from lessonkit.databases import pg_server as postgres
from lessonkit.databases.backends.base import Backend, ini_escape

MARK = "alembic-course: lesson sandbox, safe to drop"


class PostgresBackend(Backend):
    name = "postgres"
    title = "PostgreSQL"
    # A sibling (a scratch copy) restores the lesson's checkpoints: they are named after the
    # lesson's own database.
    checkpoint_owner: str | None = None

    @cached_property
    def database(self) -> str:
        return "lesson_" + re.sub(r"[^a-z0-9_]", "_", self.lesson.lower())

    def sibling(self, sandbox, suffix: str) -> PostgresBackend:
        copy = PostgresBackend(self.lesson, sandbox)
        copy.database = f"{self.database}__{suffix}"  # dropped with the lesson's copies
        copy.checkpoint_owner = self.checkpoint_owner or self.database
        return copy

    def copy_from(self, other: Backend) -> None:
        self.dispose()
        other.dispose()
        clone_database(self._admin_url, other.database, self.database)

    @cached_property
    def _admin_url(self) -> sa.URL:
        return postgres.admin_url()

    @property
    def url(self) -> str:
        return postgres.render_url(self._admin_url.set(database=self.database))

    @property
    def ini_url(self) -> str:
        return ini_escape(self.url)

    @property
    def location(self) -> str:
        source = "DATABASE_URL" if os.environ.get(postgres.ENV_URL) else "встроенный сервер"
        return f"база {self.database} ({source})"

    def notices(self) -> list[str]:
        return postgres.take_notices()

    def ensure_resettable(self) -> None:
        with admin_connection(self._admin_url) as conn:
            _refuse_foreign(conn, self.database)

    def reset(self) -> None:
        self.dispose()
        recreate_database(self._admin_url, self.database)

    def destroy(self) -> None:
        self.dispose()
        recreate_database(self._admin_url, self.database, create=False)

    def scratch_copy(self) -> PostgresBackend:
        """CREATE DATABASE ... TEMPLATE: nobody may be connected to the lesson database."""
        self.dispose()
        copy = PostgresBackend(f"{self.lesson}_check", self.sandbox)
        clone_database(self._admin_url, self.database, copy.database)
        return copy

    def _copy_name(self, tag: str) -> str:
        return f"{self.checkpoint_owner or self.database}__{tag}"

    def keep_copy(self, tag: str) -> None:
        self.dispose()
        clone_database(self._admin_url, self.database, self._copy_name(tag))

    def bring_back_copy(self, tag: str) -> None:
        self.dispose()
        clone_database(self._admin_url, self._copy_name(tag), self.database)

    def forget_copies(self) -> None:
        with admin_connection(self._admin_url) as conn:
            names = conn.execute(
                sa.text(
                    "SELECT datname FROM pg_database WHERE datname LIKE :prefix "
                    "AND shobj_description(oid, 'pg_database') = :mark"
                ),
                {"prefix": self._copy_name("%"), "mark": MARK},
            ).scalars()
            quote = conn.dialect.identifier_preparer.quote
            for name in list(names):
                conn.exec_driver_sql(f"DROP DATABASE {quote(name)} WITH (FORCE)")


@contextlib.contextmanager
def admin_connection(admin: sa.URL) -> Iterator[sa.Connection]:
    """An AUTOCOMMIT connection to the server (CREATE/DROP DATABASE), errors in Russian."""
    engine = sa.create_engine(admin, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.OperationalError as exc:
        message = str(exc.orig).strip()
        if not os.environ.get(postgres.ENV_URL):  # the course's own server stopped answering
            hint = (
                "выполните первую ячейку урока ещё раз: она запустит встроенный сервер заново. "
                "Не помогло — `python course.py db-stop` в терминале, затем снова первая ячейка."
            )
        else:
            hint = "проверьте DATABASE_URL (или уберите переменную, чтобы курс запустил свой "
            hint += "сервер); пользователю нужно право CREATEDB."
            encode = postgres.password_hint(message)
            hint += f" {encode[0].upper()}{encode[1:]}" if encode else ""
        raise DatabaseUnavailable(
            f"не удалось подключиться к PostgreSQL: {message}", hint=hint
        ) from None
    except sa.exc.ProgrammingError as exc:
        raise DatabaseUnavailable(
            f"PostgreSQL отказал: {str(exc.orig).strip()}",
            hint="пользователю из DATABASE_URL нужно право CREATEDB.",
        ) from None
    finally:
        engine.dispose()


def _database_comment(conn: sa.Connection, name: str) -> str | None:
    """The comment of database ``name`` ("" if none), or None when there is no such database."""
    row = conn.execute(
        sa.text(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = :name"
        ),
        {"name": name},
    ).first()
    return None if row is None else row[0]


def _refuse_foreign(conn: sa.Connection, name: str) -> bool:
    """Raise UnsafeReset for a database the course did not create; True if ``name`` exists."""
    comment = _database_comment(conn, name)
    if comment is not None and comment != MARK:
        raise UnsafeReset(
            f"база данных {name} уже есть на сервере, и создал её не курс.",
            hint="курс не удаляет чужие базы: переименуйте её или укажите в "
            "DATABASE_URL другой сервер.",
        )
    return comment is not None


def clone_database(admin: sa.URL, source: str, target: str) -> None:
    """``target`` becomes a copy of ``source`` (CREATE DATABASE ... TEMPLATE, marked as the
    course's); a ``target`` the course did not create is refused, as in every reset."""
    recreate_database(admin, target, create=False)
    with admin_connection(admin) as conn:
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}'"
        )
        conn.exec_driver_sql(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")
        conn.exec_driver_sql(f"COMMENT ON DATABASE {quote(target)} IS '{MARK}'")


def recreate_database(
    admin: sa.URL, name: str, create: bool = True, keep_existing: bool = False
) -> None:
    """DROP (only if this course created it) and CREATE (unless create=False) ``name``.

    keep_existing: leave a database that is already there as it is (any owner) — used by
    `pgctl start <db>` for the reference project, which must not lose its data.
    """
    with admin_connection(admin) as conn:
        quoted = conn.dialect.identifier_preparer.quote(name)
        if keep_existing and _database_comment(conn, name) is not None:
            return
        if _refuse_foreign(conn, name):
            conn.exec_driver_sql(f"DROP DATABASE {quoted} WITH (FORCE)")
        if create:
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
            conn.exec_driver_sql(f"COMMENT ON DATABASE {quoted} IS '{MARK}'")
