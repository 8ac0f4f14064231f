"""Lessons 19.2 and 19.3: the application keeps working while a migration runs.

    with run_apps("v1", "v4"):          # two versions of the application, each its own process
        %alembic upgrade head

Each version is a real process of the course's Python (app_process.py) with its own psycopg
connection to the lesson's database; what it sends is the lesson's file app.py
(``VERSIONS[version]``: a write and a read statement). The processes start, connect, wait for a
common signal, and write and read in a loop until the block ends — and ``after`` seconds longer,
so that what the migration changed reaches them. A sampler counts their lock waits in
pg_stat_activity. At the end a table: writes and reads that succeeded or failed (with the
database's message), reads that found an empty value, the longest statement, the lock wait.
Every wait is bounded; no process outlives the block.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from IPython.display import display

from lessonkit.cli.at_once import ChildProcess
from lessonkit.core.errors import CourseError
from lessonkit.core.markup import TableView
from lessonkit.demos.pg_waits import LockWaits, Wait, psycopg_dsn
from lessonkit.lesson.state import active_lesson

CHILD = Path(__file__).with_name("app_process.py")
READY, STARTED, RESULT = "READY", "STARTED", "RESULT "


@dataclass
class AppRun:
    version: str
    result: dict | None  # what the process reported; None: it did not finish in time
    wait: Wait | None = None

    def _part(self, kind: str) -> dict:
        empty = {"ok": 0, "failed": 0, "empty": 0, "errors": [], "longest": 0.0}
        return (self.result or {}).get(kind, empty)

    @property
    def writes(self) -> dict:
        return self._part("writes")

    @property
    def reads(self) -> dict:
        return self._part("reads")

    @property
    def failed(self) -> int:
        return self.writes["failed"] + self.reads["failed"]

    @property
    def first_error(self) -> str:
        errors = self.writes["errors"] + self.reads["errors"]
        return errors[0][0] if errors else ""

    @property
    def longest(self) -> float:
        return max(self.writes["longest"], self.reads["longest"])


@dataclass
class AppsReport:
    runs: list[AppRun] = field(default_factory=list)
    seconds: float = 0.0  # how long the block ran
    sampler_error: str | None = None

    def run(self, version: str) -> AppRun:
        return next(r for r in self.runs if r.version == version)

    def table(self) -> TableView:
        rows = []
        for run in self.runs:
            if run.result is None:
                rows.append((run.version, "не завершилась вовремя", "", "", "", ""))
                continue
            writes, reads = run.writes, run.reads
            rows.append(
                (
                    run.version,
                    _counts(writes) if writes["ok"] + writes["failed"] else "—",
                    (
                        f"{reads['ok']} ✅ / {reads['failed']} ❌ / {reads['empty']} пустых"
                        if reads["ok"] + reads["failed"]
                        else "—"
                    ),
                    f"{run.longest:.2f} с",
                    run.wait.text() if run.wait else "—",
                    run.first_error or "—",
                )
            )
        header = ("версия", "записи", "чтения", "самый долгий запрос", "ждала блокировку", "ошибка")
        return TableView(header, rows)

    def summary(self) -> str:
        text = f"Блок выполнялся {self.seconds:.2f} с; приложение работало до и после него."
        if self.sampler_error:
            text += f" Наблюдатель блокировок не работал: {self.sampler_error}"
        return text

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.summary() + "\n")
        self.table()._repr_pretty_(printer, cycle)

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.table()._repr_html_()


class run_apps:
    """``with run_apps("v1", "v2"): ...`` — the versions write and read while the block runs.

    app: the lesson's file with VERSIONS; pause: seconds between rounds; before / after: how
    long the applications work before the block begins and after it ends; max_id: the highest
    id ``%(id)s`` may take;
    quiet: no table at the end (the report is ``.report``).
    """

    def __init__(
        self,
        *versions: str,
        app: str = "app.py",
        pause: float = 0.02,
        before: float = 0.3,
        after: float = 0.5,
        max_id: int = 1,
        quiet: bool = False,
        timeout: float = 60.0,
    ):
        if not versions:
            raise CourseError("не названа ни одна версия приложения.", hint='run_apps("v1")')
        self.versions, self.app, self.pause = versions, app, pause
        self.before, self.after = before, after
        self.max_id, self.quiet, self.timeout = max_id, quiet, timeout
        self.report = AppsReport()
        self._children: list[ChildProcess] = []
        self._sampler: LockWaits | None = None

    def __enter__(self) -> AppsReport:
        lesson = active_lesson()
        if lesson.backend.name != "postgres":
            raise CourseError("приложение урока работает только с PostgreSQL.")
        app_file = lesson.sandbox / self.app
        if not app_file.is_file():
            raise CourseError(
                f"в песочнице нет файла {self.app}.", hint="выполните ячейку с %%writefile app.py"
            )
        dsn = psycopg_dsn(lesson.url)
        argv_of = [str(app_file), "", dsn, str(self.pause), str(self.max_id)]
        try:
            for version in self.versions:
                argv = list(argv_of)
                argv[1] = version
                self._children.append(ChildProcess(f"app {version}", CHILD, argv, lesson.sandbox))
            deadline = time.monotonic() + self.timeout
            for child in self._children:
                if child.wait_for(READY, deadline) is None:
                    raise CourseError(self._failure(child, "не подключилась к базе"))
            self._sampler = LockWaits(lesson.url)
            self._sampler.__enter__()
            for child in self._children:
                child.send("go\n", close=False)
            for child in self._children:
                if child.wait_for(STARTED, deadline) is None:
                    raise CourseError(self._failure(child, "не начала работу"))
        except BaseException:
            self._stop()
            raise
        time.sleep(self.before)
        self._started = time.perf_counter()
        return self.report

    def _failure(self, child: ChildProcess, what: str) -> str:
        said = " ".join(child.extra[-3:])
        return f"версия {child.name} {what}{': ' + said if said else ''}."

    def __exit__(self, *exc) -> None:
        self.report.seconds = time.perf_counter() - self._started
        time.sleep(self.after)
        for child in self._children:
            child.send("", close=True)  # EOF: finish the round and report
        deadline = time.monotonic() + self.timeout
        for child, version in zip(self._children, self.versions, strict=True):
            line = child.wait_for(RESULT, deadline)
            result = json.loads(line[len(RESULT) :]) if line else None
            self.report.runs.append(AppRun(version, result))
        self._stop()
        active_lesson().backend.dispose()
        if not self.quiet:  # a migration that failed: what the application saw matters most
            display(self.report)

    def _stop(self) -> None:
        if self._sampler is not None:
            self._sampler.__exit__(None, None, None)
            for run in self.report.runs:
                run.wait = self._sampler.of(f"app {run.version}")
            self.report.sampler_error = self._sampler.error
        for child in self._children:
            child.stop()


def _counts(writes: dict) -> str:
    return f"{writes['ok']} ✅ / {writes['failed']} ❌"
