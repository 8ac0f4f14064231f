"""A lesson in a kernel as Windows starts it (issue 15), simulated on Linux.

* A Russian Windows' code page: the kernel's locale is ru_RU.CP1251 and it is not in UTF-8 mode
  (no PYTHONUTF8: VS Code, for one, starts the interpreter without the course's kernelspec).
  Every file the course writes must still be UTF-8 — generated models.py, env.py, revisions.
* PostgreSQL without Unix sockets, as on Windows: TCP on 127.0.0.1 (COURSE_PG_TCP=1), a lesson
  end to end from initdb on, in a kernel whose locale is not installed (initdb runs with
  --locale=C), then the server stopped and started again — the URL the sandbox's alembic.ini
  holds must still reach it (a terminal `alembic` in the sandbox uses it).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from lessonkit.core.paths import WORK_DIR
from lessonkit.core.portable import remove_tree
from lessonkit.databases import pg_server
from tests.lesson_kernels import run_lesson
from tests.notebook_runner import NOTEBOOKS, text_of

pytestmark = pytest.mark.notebooks  # lessons in kernels: `make test`, not test-fast
LESSON = NOTEBOOKS / "02_revisions.ipynb"
LOCALE = "ru_RU.CP1251"
LOCALES = WORK_DIR / ".locales"  # localedef's output: no root needed, found through LOCPATH
COURSE_VARIABLES = ("COURSE_DB", "COURSE_PGDATA", "COURSE_PG_TCP", "DATABASE_URL")


def kernel_environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in COURSE_VARIABLES}
    return {**env, **values}


def cp1251_locale() -> dict[str, str]:
    """LANG/LC_ALL of a Russian Windows' code page; the locale is made with localedef if the
    system lacks it (as `localedef -i ru_RU -f CP1251 ru_RU.CP1251` would, into work/)."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is missing (glibc's locales)")
    target = LOCALES / LOCALE
    if not target.is_dir():
        LOCALES.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["localedef", "-i", "ru_RU", "-f", "CP1251", str(target)],
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        if not target.is_dir():  # localedef exits 1 on mere warnings: the folder tells
            pytest.skip(f"localedef could not make {LOCALE}: {done.stderr.strip()[:300]}")
    return {"LANG": LOCALE, "LC_ALL": LOCALE, "LOCPATH": str(LOCALES)}


PROBE = """import locale, sys
print("encoding:", locale.getpreferredencoding(False), "utf8_mode:", sys.flags.utf8_mode)"""


def test_a_lesson_runs_in_a_cp1251_kernel_without_utf8_mode(tmp_path):
    name = "96_cp1251"
    env = kernel_environment(**cp1251_locale())
    for utf8 in ("PYTHONUTF8", "PYTHONIOENCODING"):
        env.pop(utf8, None)
    notebook = run_lesson(
        LESSON, name=name, env=env, cwd=NOTEBOOKS, specs=tmp_path / "kernels", first=PROBE
    )
    probe = text_of(notebook.cells[0])
    assert "encoding: cp1251 utf8_mode: 0" in probe.lower(), probe  # the simulation is real
    sandbox = WORK_DIR / name
    written = [*sandbox.glob("*.py"), *sandbox.rglob("alembic/**/*.py"), sandbox / "alembic.ini"]
    assert len(written) > 4
    for path in written:
        path.read_text(encoding="utf-8")  # UTF-8, whatever the code page
    russian = [p for p in written if any(ord(c) > 127 for c in p.read_text(encoding="utf-8"))]
    assert russian, "the lesson writes Russian text (models.py's docstring, at least)"


@pytest.mark.postgres
def test_a_postgresql_lesson_over_tcp_survives_a_server_restart(tmp_path, monkeypatch):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded server is not in use")
    name = "96_tcp"
    pgdata = WORK_DIR / "pg-96-tcp"  # a server of its own: it is stopped and started here
    pg_server.stop_embedded(pgdata)
    remove_tree(pgdata)  # a first start: initdb too
    tcp = {"COURSE_DB": "postgres", "COURSE_PG_TCP": "1", "COURSE_PGDATA": str(pgdata)}
    missing = {"LANG": "xx_YY.UTF-8", "LC_ALL": "xx_YY.UTF-8"}  # initdb must not need it
    try:
        notebook = run_lesson(
            LESSON,
            name=name,
            env=kernel_environment(**tcp, **missing),
            cwd=NOTEBOOKS,
            specs=tmp_path,
        )
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        assert "PostgreSQL" in text_of(first), text_of(first)
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(WORK_DIR / name / "alembic.ini", encoding="utf-8")
        url = sa.make_url(ini["alembic"]["sqlalchemy.url"].replace("%%", "%"))
        assert url.host == "127.0.0.1" and url.port and "host" not in url.query, url
        pg_server.stop_embedded(pgdata)  # the kernel is gone; make sure the server is too
        assert not (pgdata / "postmaster.pid").exists()

        for key, value in tcp.items():
            monkeypatch.setenv(key, value)
        pg_server.start_embedded(pgdata, keep_running=True)  # as `course.py db-start` does
        with sa.create_engine(url, poolclass=sa.pool.NullPool).connect() as conn:
            assert conn.exec_driver_sql("SHOW unix_socket_directories").scalar() == ""
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "current"],
            cwd=WORK_DIR / name,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONUTF8": "1"},
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[0] == version, done.stdout  # the terminal reached the server
    finally:
        pg_server.stop_embedded(pgdata)
