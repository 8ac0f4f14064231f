"""Lesson 19.1: replicas of an application start at once, and each runs Alembic on start-up.

    start_replicas(3)                      # three processes: `alembic upgrade head`, together
    start_replicas(2, "downgrade -1")

The replicas are real processes (lessonkit.cli.at_once) on the lesson's own database; while they
run, a sampler reads PostgreSQL's pg_stat_activity and counts how long each replica waited for a
lock, and for whom. The report is a table: outcome, time, wait, what the replica applied or
the error it ended with, and whether the database was at head when the replica was done.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from lessonkit.cli.at_once import ReplicaRun, run_at_once
from lessonkit.core.markup import TableView
from lessonkit.demos.pg_waits import LockWaits, Wait
from lessonkit.lesson.state import active_lesson

MAX_ERROR = 110  # characters of an error line in the table


@dataclass
class ReplicaReport:
    runs: list[ReplicaRun]
    waits: dict[str, Wait]
    sampler_error: str | None = None

    @property
    def failed(self) -> int:
        return sum(not run.ok for run in self.runs)

    @property
    def applied(self) -> int:
        """Replicas that ran at least one migration (even if they then failed)."""
        return sum(bool(run.applied) for run in self.runs)

    def table(self) -> TableView:
        rows = []
        for run in self.runs:
            wait = self.waits.get(run.name)
            if run.ok:
                did = "; ".join(run.applied) or "ничего не применила: база уже на head"
            else:
                did = _short(run.error)
            rows.append(
                (
                    run.name,
                    _status(run),
                    f"{run.seconds:.2f} с",
                    wait.text() if wait else "—",
                    did,
                    "да" if run.at_head else "нет",
                )
            )
        header = ("реплика", "итог", "время", "ждала блокировку", "что сделала", "база на head")
        return TableView(header, rows)

    def summary(self) -> str:
        total = len(self.runs)
        text = (
            f"Реплик: {total}; применяли миграции: {self.applied}; "
            f"завершились с ошибкой: {self.failed}."
        )
        if self.sampler_error:
            text += f" Наблюдатель блокировок не работал: {self.sampler_error}"
        return text

    def _repr_pretty_(self, printer, cycle) -> None:
        self.table()._repr_pretty_(printer, cycle)
        printer.text("\n" + self.summary())

    def _repr_html_(self) -> str:
        return self.table()._repr_html_() + f"<p>{self.summary()}</p>"


def _short(text: str) -> str:
    text = text.replace("(Background on this error at: https://sqlalche.me/e/20/f405)", "")
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def start_replicas(count: int = 3, command: str = "upgrade head", timeout: float = 120.0):
    """``count`` replicas run `alembic <command>` together on the lesson's sandbox and database."""
    lesson = active_lesson()
    sampler = LockWaits(lesson.url) if lesson.backend.name == "postgres" else None
    with contextlib.ExitStack() as stack:

        def on_go() -> None:
            if sampler is not None:
                stack.enter_context(sampler)

        runs = run_at_once(count, command.split(), lesson.sandbox, timeout=timeout, on_go=on_go)
    lesson.backend.dispose()  # the kernel's pool must not hold what the replicas changed
    waits = sampler.waits if sampler is not None else {}
    return ReplicaReport(runs, waits, sampler.error if sampler is not None else None)


def _status(run) -> str:
    if run.ok:
        return "✅ код 0"
    return f"❌ код {run.code}" if run.code is not None else "❌"
