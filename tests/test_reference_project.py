"""The top-level Alembic project (the note's demo app): one head, up, check, down — on SQLite
and on PostgreSQL, through pytest-alembic's standard tests and through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic.tests import (  # noqa: F401 — pytest-alembic's four standard tests
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.databases.backends.postgres import recreate_database

ALEMBIC = str(Path(sys.executable).with_name("alembic"))


@pytest.fixture
def alembic_config():
    return {"file": str(REPO_ROOT / "alembic.ini")}


@pytest.fixture(params=["sqlite", "postgres"])
def alembic_engine(request, tmp_path):
    """The database pytest-alembic migrates, handed to env.py as config.attributes."""
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    else:
        admin = request.getfixturevalue("pg_admin_url")
        recreate_database(admin, "lesson_96_reference")
        engine = sa.create_engine(admin.set(database="lesson_96_reference"))
    yield engine
    engine.dispose()


def alembic_cli(*argv, env=None):
    done = subprocess.run(
        [ALEMBIC, *argv],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "COURSE_DB")}
    return env | extra


@pytest.mark.heavy
def test_cli_from_the_repo_root_on_the_default_sqlite_file():
    (WORK_DIR / "reference.db").unlink(missing_ok=True)
    env = clean_env()
    assert "Running upgrade 0007_post_body -> 0008_statuspost_archived" in alembic_cli(
        "upgrade", "head", env=env
    )
    assert "No new upgrade operations detected." in alembic_cli("check", env=env)
    assert "Running downgrade 0001_users -> " in alembic_cli("downgrade", "base", env=env)
    assert (WORK_DIR / "reference.db").is_file()


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.postgres
def test_cli_with_database_url_on_postgres(pg_admin_url):
    """The README recipe: DATABASE_URL from `pgctl start <db>`, then alembic in a terminal."""
    recreate_database(pg_admin_url, "lesson_96_reference_cli", create=False)

    def pgctl_start() -> str:
        return subprocess.run(
            [sys.executable, "-m", "lessonkit.databases.pgctl", "start", "lesson_96_reference_cli"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            encoding="utf-8",
        ).stdout.strip()

    env = clean_env(DATABASE_URL=pgctl_start())
    assert "Context impl PostgresqlImpl" in alembic_cli("upgrade", "head", env=env)
    assert pgctl_start() == env["DATABASE_URL"]  # a second start keeps the database as it is
    assert "0008_statuspost_archived (head)" in alembic_cli("current", env=env)
    assert "No new upgrade operations detected." in alembic_cli("check", env=env)
    assert enum_types(env) == {"genderenum": ["MALE", "FEMALE"], "statuspost": STATUSES}
    alembic_cli("downgrade", "0007_post_body", env=env)  # the enum value goes away again
    assert enum_types(env)["statuspost"] == STATUSES[:2]
    alembic_cli("downgrade", "base", env=env)
    assert enum_types(env) == {}, "a downgrade must not leave enum types behind (lesson 14)"
    alembic_cli("upgrade", "head", env=env)  # no "type already exists" on the way up again
    recreate_database(pg_admin_url, "lesson_96_reference_cli", create=False)


STATUSES = ["DRAFT", "PUBLISHED", "ARCHIVED"]


def enum_types(env) -> dict[str, list[str]]:
    engine = sa.create_engine(env["DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid"
            " ORDER BY t.typname, e.enumsortorder"
        ).all()
    types: dict[str, list[str]] = {}
    for name, label in rows:
        types.setdefault(name, []).append(label)
    return types


def test_history_has_the_team_merge():
    """Two branches from 0004 and their merge (lesson 13), one head at the end."""
    out = alembic_cli("history", env=clean_env())
    assert "0005_post_status, 0005_profile_avatar -> 0006_merge (mergepoint)" in out
    assert out.count("(head)") == 1


def test_offline_mode_prints_sql_without_a_database():
    out = alembic_cli("upgrade", "head", "--sql", env=clean_env(DATABASE_URL="sqlite:///x.db"))
    assert "CREATE TABLE users" in out and "INSERT INTO alembic_version" in out
