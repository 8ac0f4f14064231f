"""A copy of the lesson database for a check to run a migration down and up on.

A check that rolls back the learner's own database can leave it half-done (an empty or broken
downgrade, a failed upgrade after it), and the learner is then stuck. The migration checks work
on a copy instead: the database file copied (SQLite, DuckDB) or ``CREATE DATABASE ... TEMPLATE``
(PostgreSQL), and an alembic.ini beside the sandbox's own that points at the copy.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lessonkit.cli.command import CommandResult, run_alembic
from lessonkit.databases.backends import Backend
from lessonkit.databases.pg_server import ENV_URL as URL_VARIABLE
from lessonkit.databases.pg_server import render_url
from lessonkit.databases.schema import Schema, read_schema
from lessonkit.lesson.project import set_ini_option
from lessonkit.lesson.sql_connection import connect_sql, disconnect_sql

SCRATCH_INI = ".check-alembic.ini"


@dataclass
class Scratch:
    sandbox: Path
    backend: Backend

    def alembic(self, *argv: str) -> CommandResult:
        # An env.py that reads DATABASE_URL (lesson 12) must see the copy too, not the
        # learner's database; the variable is put back at once.
        saved = os.environ.get(URL_VARIABLE)
        if saved is not None:
            os.environ[URL_VARIABLE] = render_url(self.backend.engine.url)
        try:
            return run_alembic(["-c", SCRATCH_INI, *argv], self.sandbox)
        finally:
            if saved is not None:
                os.environ[URL_VARIABLE] = saved

    def snapshot(self) -> Schema:
        return read_schema(self.backend.engine)

    def query(self, sql: str) -> list[tuple]:
        import sqlalchemy as sa

        with self.backend.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]


@contextlib.contextmanager
def scratch_database(lesson) -> Iterator[Scratch]:
    ini = lesson.sandbox / "alembic.ini"
    postgres = lesson.backend.name == "postgres"
    if postgres:
        disconnect_sql()  # a database with a session open cannot be a TEMPLATE
    copy = lesson.backend.scratch_copy()
    scratch_ini = lesson.sandbox / SCRATCH_INI
    try:
        scratch_ini.write_text(ini.read_text(encoding="utf-8"), encoding="utf-8")
        set_ini_option(scratch_ini, "sqlalchemy.url", copy.ini_url)
        yield Scratch(lesson.sandbox, copy)
    finally:
        scratch_ini.unlink(missing_ok=True)
        copy.dispose()
        copy.destroy()
        if postgres:
            connect_sql(lesson.backend)
