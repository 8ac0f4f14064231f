"""Lesson 17's instruments: the application next to a migration, and the locks between them.

    with watch():            # two connections read and write ``orders`` every 10 ms, an
        %alembic upgrade head    # observer samples pg_stat_activity + pg_locks; afterwards the
                                 # report says who waited for whom, and how long
    locks_taken("CREATE INDEX ...")   # the locks a statement takes (its transaction rolled back)
    vacuum_analyze("orders")          # after a bulk load: autovacuum will not start mid-measure
    writes_keep_going(...)            # a check: the migration never scans rows holding a lock
                                      # that stops writes

Only client sessions count (``backend_type = 'client backend'``): autovacuum's
``VACUUM ANALYZE`` of a freshly loaded table has no application name either, and was once
reported as the migration. A wait is what the observer saw in pg_locks — a query that was merely
slow on a busy machine is not a wait.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import sqlalchemy as sa

from lessonkit.checks.verdict import Verdict
from lessonkit.cli.command import run_alembic
from lessonkit.lesson.state import active_lesson

THRESHOLD = 0.05  # seconds: shorter waits are sampling noise
BLOCKS_WRITES = {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
# application_name → (name in the report, verb ending, "waited for …")
WHO = {
    "": ("миграция", "а", "миграцию, у которой"),
    "app-read": ("чтение", "о", "чтение, у которого"),
    "app-write": ("запись", "а", "запись, у которой"),
    "report": ("отчёт", "", "отчёт, у которого"),
}
SAMPLE = """
SELECT a.application_name, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 200),
       array(SELECT b.application_name FROM pg_stat_activity b
             WHERE b.pid = ANY (pg_blocking_pids(a.pid))),
       array(SELECT l.mode FROM pg_locks l
             WHERE l.pid = a.pid AND l.granted AND l.relation = 'orders'::regclass),
       array(SELECT l.mode FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state <> 'idle'
  AND a.backend_type = 'client backend'
"""


def dsn(lesson=None) -> str:
    """The lesson's database as a psycopg connection string."""
    url = sa.make_url((lesson or active_lesson()).url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Client(threading.Thread):
    """The application: its query every 10 ms in its own connection."""

    def __init__(self, name: str, sql: str, address: str):
        super().__init__(name=name, daemon=True)
        self.sql, self.address, self.count, self.stop = sql, address, 0, threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.address, autocommit=True, application_name=self.name) as conn:
            conn.execute("SET synchronous_commit = off")  # not waiting for the disk: locks only
            while not self.stop.is_set():
                conn.execute(self.sql)
                self.count += 1
                time.sleep(0.01)


class Report(threading.Thread):
    """A report: a transaction that read ``orders`` and stays open ``seconds`` seconds."""

    def __init__(self, seconds: float, address: str):
        super().__init__(name="report", daemon=True)
        self.seconds, self.address, self.ready = seconds, address, threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.address, application_name=self.name) as conn:  # exit: COMMIT
            conn.execute("SELECT count(*) FROM orders")
            self.ready.set()
            time.sleep(self.seconds)


@dataclass(frozen=True)
class Wait:
    seconds: float
    wanted: tuple[str, ...]  # the locks the waiting session asked for
    held: tuple[str, ...]  # what the blocking session held on orders
    query: str  # what the blocking session was running


class Sampler(threading.Thread):
    """Snapshots of pg_stat_activity + pg_locks: name, query, blockers, held and wanted locks."""

    def __init__(self, address: str):
        super().__init__(name="monitor", daemon=True)
        self.address, self.samples, self.stop = address, [], threading.Event()
        self.elapsed, self.clients = 0.0, []

    def run(self) -> None:
        with psycopg.connect(self.address, autocommit=True, application_name=self.name) as conn:
            while not self.stop.is_set():
                self.samples.append((time.perf_counter(), conn.execute(SAMPLE).fetchall()))
                time.sleep(0.003)

    def waits(self) -> dict[tuple[str, str], Wait]:
        """(who, whom) → how long ``who`` was seen waiting for ``whom``, and for what."""
        found = {}
        for moment, rows in self.samples:
            by_name = {row[0]: row for row in rows}
            for name, _, blockers, _, wanted in rows:
                for blocker in blockers:
                    _, query, _, held, _ = by_name.get(blocker, (blocker, "?", [], [], []))
                    first, _, seen = found.get((name, blocker), (moment, moment, Counter()))
                    seen[(tuple(wanted), tuple(held), query)] += 1
                    found[(name, blocker)] = (first, moment, seen)
        return {
            key: Wait(last - first, *seen.most_common(1)[0][0])
            for key, (first, last, seen) in found.items()
        }

    def waited(self, name: str) -> float:
        """The longest wait of session ``name`` for anyone, in seconds (0 if it never waited)."""
        return max((w.seconds for (who, _), w in self.waits().items() if who == name), default=0)

    def migration_statements(self) -> list[tuple[str, set[str]]]:
        """What the migration ran, each time with the locks it held on orders."""
        return [
            (query, set(held))
            for _, rows in self.samples
            for n, query, _, held, _ in rows
            if n == ""
        ]


@contextmanager
def watch(report: float = 0, quiet: bool = False):
    """While the block runs, the application reads and writes orders and the observer samples
    locks; with ``report=N`` a report keeps a transaction on orders open N seconds."""
    address = dsn()
    clients = [
        Client("app-read", "SELECT amount FROM orders WHERE id = 1", address),
        Client("app-write", "INSERT INTO orders (customer_id, amount) VALUES (1, 9.99)", address),
    ]
    seen, extra = Sampler(address), [Report(report, address)] if report else []
    for thread in (*clients, seen, *extra):
        thread.start()
    deadline = time.perf_counter() + 30
    while not all(c.count for c in clients) or not all(r.ready.is_set() for r in extra):
        if time.perf_counter() > deadline:
            raise RuntimeError("соединения приложения не начали работу за 30 с")
        time.sleep(0.01)
    started = time.perf_counter()
    try:
        yield seen
    finally:
        seen.elapsed, seen.clients = time.perf_counter() - started, clients
        for thread in (*clients, seen):
            thread.stop.set()
        for thread in (*clients, seen, *extra):
            thread.join()
        if not quiet:
            print(report_text(seen))


def report_text(seen: Sampler) -> str:
    lines = [f"Миграция шла {seen.elapsed:.2f} с. Приложение тем временем:"]
    for client in seen.clients:
        name, end, _ = WHO[client.name]
        waited = seen.waited(client.name)
        state = f"ждал{end} {waited:.2f} с" if waited >= THRESHOLD else f"не ждал{end}"
        lines.append(f"  {name}: запросов {client.count}, {state}")
    order = list(WHO)  # migration, read, write, report: the same order every run
    waits = sorted(
        ((key, w) for key, w in seen.waits().items() if w.seconds >= THRESHOLD),
        key=lambda item: (order.index(item[0][0]), order.index(item[0][1])),
    )
    lines.append(
        f"Кто кого ждал (дольше {THRESHOLD} с):"
        if waits
        else f"Никто никого не ждал дольше {THRESHOLD} с."
    )
    for (who, whom), wait in waits:
        name, end, _ = WHO[who]
        lines.append(
            f"  {name} просил{end} {', '.join(wait.wanted)} и ждал{end} {WHO[whom][2]} на "
            f"orders {', '.join(wait.held) or 'пока ничего'}: {wait.query[:70]}"
        )
    return "\n".join(lines)


def locks_taken(*statements: str) -> None:
    """Each statement in a transaction of its own, the locks it holds on orders and customers
    (from pg_locks), then ROLLBACK: nothing changes."""
    with psycopg.connect(dsn()) as conn:
        for sql in statements:
            conn.execute(sql)
            rows = conn.execute(
                "SELECT relation::regclass::text, string_agg(mode, ', ' ORDER BY mode)"
                " FROM pg_locks WHERE pid = pg_backend_pid()"
                " AND relation IN ('orders'::regclass, 'customers'::regclass) GROUP BY 1 ORDER BY 1"
            ).fetchall()
            conn.rollback()
            print(sql, *(f"    {table}: {modes}" for table, modes in rows), sep="\n")


def vacuum_analyze(*tables: str) -> None:
    """VACUUM ANALYZE after a bulk load (outside a transaction, as PostgreSQL requires): the
    table's statistics are fresh, and autovacuum has no reason to start during a measurement."""
    with psycopg.connect(dsn(), autocommit=True) as conn:
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {table}")


def reads_rows(query: str) -> bool:
    """A statement that goes through every row under its lock (a plain index build, a
    constraint checked at once, a VALIDATE)."""
    text = " ".join(query.upper().split())
    if any(word in text for word in ("CONCURRENTLY", "NOT VALID", "USING INDEX")):
        return False
    scans = ("VALIDATE CONSTRAINT", "CREATE INDEX", "CREATE UNIQUE INDEX", "ADD CONSTRAINT")
    return any(word in text for word in scans)


def writes_keep_going(start: str, target: str, statement: str) -> Verdict:
    """The learner's migration again, under watch(): from ``start`` down and up to ``target``.
    ✅ when ``statement`` ran and no row-scanning statement held a lock that stops writes."""
    lesson = active_lesson()
    if target not in (lesson.snapshot().version or ()):
        return Verdict(
            False,
            f"замер не выполнен: ревизия {target} не применена.",
            "примените её: %alembic upgrade head",
        )
    down = run_alembic(["downgrade", start], lesson.sandbox)
    if not down.ok:
        return Verdict(
            False,
            f"замер не выполнен: `alembic downgrade {start}` завершился ошибкой.",
            "исправьте downgrade().",
        )
    with watch(quiet=True) as seen:
        up = run_alembic(["upgrade", target], lesson.sandbox)
    if not up.ok:
        return Verdict(
            False,
            f"замер не выполнен: `alembic upgrade {target}` завершился ошибкой.",
            "выполните %alembic upgrade head и прочитайте ошибку.",
        )
    runs = seen.migration_statements()
    waited = f"запись ждала {seen.waited('app-write'):.2f} с"
    for query, held in runs:
        if reads_rows(query) and held & BLOCKS_WRITES:
            return Verdict(
                False,
                f"миграция проходила по строкам под {', '.join(sorted(held & BLOCKS_WRITES))}: "
                f"«{query[:90]}»; {waited}.",
                "эта блокировка не пускает запись: проверку строк или построение индекса "
                "вынесите из-под неё.",
            )
    if not any(statement in " ".join(q.upper().split()) for q, _ in runs):
        return Verdict(
            False,
            f"команды {statement} в миграции не видно; {waited}.",
            f"в upgrade() должна выполняться {statement} — перечитайте задание.",
        )
    return Verdict(True, f"{statement} шла без блокировок, которые держат запись; {waited}.")
