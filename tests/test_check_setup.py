"""`course.py check-setup` (tools/check_setup.py): each database through a real kernel of the
course environment, as a lesson uses it — red when a lesson would fail, in Russian, without a
traceback. One module, so its runs of the probe lesson never overlap (one xdist group)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lessonkit.core.paths import REPO_ROOT, sandbox_dir
from tools.check_setup import PROBE


def check_setup(*only: str, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "tools/check_setup.py", *only],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        encoding="utf-8",
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert not sandbox_dir(PROBE).exists(), "the probe lesson's sandbox is removed"
    return done


def unimportable(folder: Path, module: str) -> str:
    """A PYTHONPATH folder where `import <module>` fails as if the package were uninstalled
    (the shared environment itself is never touched)."""
    package = folder / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name={module!r})\n",
        encoding="utf-8",
    )
    return str(folder)


@pytest.mark.heavy
@pytest.mark.slow
def test_all_green_and_a_database_that_cannot_start_is_red():
    """A database that cannot start: a red line in Russian with what to do, exit status 1."""
    done = check_setup(DATABASE_URL="postgresql://nobody@/nowhere?host=/nonexistent")
    assert done.returncode == 1, done.stdout
    assert "✅ SQLite" in done.stdout and "✅ DuckDB" in done.stdout
    assert "✅ JupyterLab" in done.stdout and "%alembic upgrade/downgrade и %sql" in done.stdout
    assert "❌ PostgreSQL" in done.stdout and "Что делать:" in done.stdout
    assert "DATABASE_URL" in done.stdout


@pytest.mark.heavy
@pytest.mark.slow
def test_without_ipython_sql_the_lessons_first_cell_is_red(tmp_path):
    """ipython-sql missing: the environment's metadata may still list it, but a lesson's first
    cell fails — so does check-setup, for every database."""
    done = check_setup("sqlite", "duckdb", PYTHONPATH=unimportable(tmp_path, "sql"))
    assert done.returncode == 1, done.stdout
    assert done.stdout.count("не импортируется пакет ipython-sql") == 2, done.stdout
    assert "✅" not in done.stdout


@pytest.mark.heavy
@pytest.mark.slow
def test_without_psycopg_the_postgres_line_names_the_driver(tmp_path):
    done = check_setup("postgres", PYTHONPATH=unimportable(tmp_path, "psycopg"))
    assert done.returncode == 1, done.stdout
    assert "❌ PostgreSQL" in done.stdout
    assert "не импортируется пакет psycopg (драйвер PostgreSQL)" in done.stdout
    assert "ModuleNotFoundError" not in done.stdout


@pytest.mark.heavy
@pytest.mark.slow
def test_an_old_postgres_data_folder_is_reported_in_words(tmp_path):
    """Data of PostgreSQL 16: the course moves the folder aside (lessonkit/databases/pg_server)
    and starts its own version; check-setup says so, and where the old folder is now."""
    data = tmp_path / "старые данные" / "pg"
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("16\n", encoding="utf-8")
    env = {"COURSE_PGDATA": str(data)}
    try:
        done = check_setup("postgres", **env)
    finally:
        subprocess.run(
            [sys.executable, "-m", "lessonkit.databases.pgctl", "stop"],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            capture_output=True,
        )
    assert done.returncode == 0, done.stdout
    assert "✅ PostgreSQL" in done.stdout
    assert "были от версии 16" in done.stdout and "Ничего не удалено" in done.stdout
    (aside,) = data.parent.glob("pg-v16-*")
    assert (aside / "PG_VERSION").read_text(encoding="utf-8").strip() == "16"
    assert str(aside) in done.stdout
