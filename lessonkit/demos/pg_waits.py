"""Who waited for a lock, how long, and for whom: a sampler of PostgreSQL's own view.

While a block runs, a thread with its own connection reads `pg_stat_activity` every few
milliseconds; every session of the lesson's database that waits for a lock (wait_event_type =
'Lock') is counted under its application_name, with what it waited for (a relation, a row's
transaction, an advisory lock) and the sessions that blocked it (`pg_blocking_pids`). The
processes of lessons 19.x name themselves through PGAPPNAME, so the report speaks of
«replica-2» or «app v1», not of pids.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg
import sqlalchemy as sa

SAMPLE = """
SELECT a.application_name, a.wait_event,
       array(SELECT b.application_name FROM pg_stat_activity b
             WHERE b.pid = ANY (pg_blocking_pids(a.pid)))
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.wait_event_type = 'Lock'
"""
KERNEL = "ядро (миграция)"  # the kernel's own connections carry no application_name
# pg_stat_activity.wait_event of a lock wait → what was awaited, in the report's words
WHAT = {
    "relation": "таблицу",
    "transactionid": "строку (транзакцию)",
    "tuple": "строку",
    "advisory": "advisory lock",
    "object": "объект каталога",
}


def psycopg_dsn(url: str) -> str:
    """The lesson's SQLAlchemy URL as a libpq connection string."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def who(name: str) -> str:
    return name or KERNEL


@dataclass
class Wait:
    seconds: float = 0.0
    what: Counter = field(default_factory=Counter)  # wait_event → samples
    blockers: Counter = field(default_factory=Counter)  # who held it → samples

    def text(self) -> str:
        what = WHAT.get(self.what.most_common(1)[0][0], self.what.most_common(1)[0][0])
        held = ", ".join(who(name) for name, _ in self.blockers.most_common(2)) or "?"
        return f"{self.seconds:.2f} с, {what}; держал(а): {held}"


class LockWaits(threading.Thread):
    """``with LockWaits(url) as waits: ...`` — afterwards ``waits.of(name)`` is the Wait of a
    session (None: it never waited)."""

    def __init__(self, url: str, interval: float = 0.005, limit: float = 300.0):
        super().__init__(name="lock-waits", daemon=True)
        self.dsn, self.interval, self.limit = psycopg_dsn(url), interval, limit
        self.waits: dict[str, Wait] = {}
        self.samples = 0
        self.error: str | None = None
        self._stop_event = threading.Event()
        self._ready = threading.Event()

    def __enter__(self) -> LockWaits:
        self.start()
        self._ready.wait(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self._stop_event.set()
        self.join(timeout=30)

    def run(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True, application_name="lock-waits") as conn:
                self._ready.set()
                started = previous = time.perf_counter()
                while not self._stop_event.is_set() and previous - started < self.limit:
                    rows = conn.execute(SAMPLE).fetchall()
                    now = time.perf_counter()
                    self.samples += 1
                    for name, event, blockers in rows:
                        wait = self.waits.setdefault(who(name), Wait())
                        wait.seconds += now - previous
                        wait.what[event] += 1
                        wait.blockers.update(blockers or ["?"])
                    previous = now
                    time.sleep(self.interval)
        except psycopg.Error as exc:  # the report says so; the block itself goes on
            self.error = str(exc).strip().splitlines()[0]
        finally:
            self._ready.set()

    def of(self, name: str) -> Wait | None:
        return self.waits.get(name)
