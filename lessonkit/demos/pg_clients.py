"""Other clients of the lesson's PostgreSQL while a migration runs (lesson 19.4).

    with writer(lesson.url, "INSERT INTO orders ...") as app:   # the application writes
        %alembic upgrade head                                    # every 10 ms meanwhile
    # prints how many writes went through and how long the slowest one waited

    with report(lesson.url, "SELECT count(*) FROM orders", seconds=4):
        %alembic upgrade head     # a long transaction holds its locks on orders meanwhile

Each client is a real process (pg_client_process.py, started with the kernel's Python) with its
own connection, as the application and an analyst's report would be. Every wait is bounded and
no process outlives the `with` block: on the way out the client is told to stop, then waited
for, then killed if it does not end.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from lessonkit.core.errors import CourseError
from lessonkit.core.portable import utf8_environment

CHILD = Path(__file__).with_name("pg_client_process.py")
READY_WITHIN = 60.0  # seconds: a loaded machine starts a Python process slowly
STOP_WITHIN = 15.0


def psycopg_dsn(url: str) -> str:
    """The lesson's SQLAlchemy URL as a libpq connection string."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Client:
    """One child process and the lines it prints, read by a thread (portable, no select())."""

    def __init__(self, *argv: str):
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            env=utf8_environment(),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)  # the process closed its output

    def expect(self, within: float) -> str:
        """The next line the process prints; a Russian error if it ends or stays silent."""
        try:
            line = self.lines.get(timeout=within)
        except queue.Empty:
            self.stop()
            raise CourseError(
                f"процесс-клиент базы не ответил за {within:.0f} с.",
                hint="машина перегружена или PostgreSQL не отвечает: выполните ячейку ещё раз.",
            ) from None
        if line is None:
            error = self.process.stderr.read().strip().splitlines()
            raise CourseError(
                "процесс-клиент базы завершился с ошибкой: " + (error[-1] if error else "?"),
                hint="выполните первую ячейку урока (она запускает PostgreSQL) и повторите.",
            )
        return line

    def stop(self) -> None:
        """Tell the process to finish (a line on stdin), wait, and kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
        try:
            self.process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_WITHIN)


@dataclass
class Writes:
    count: int = 0
    longest: float = 0.0  # seconds: the slowest write, lock waits included
    elapsed: float = 0.0  # seconds the block took


@contextlib.contextmanager
def writer(url: str, sql: str) -> Iterator[Writes]:
    """While the block runs, another process runs ``sql`` every 10 ms; afterwards the count of
    writes and the longest one are printed (and left in the yielded Writes)."""
    client = Client("writer", psycopg_dsn(url), sql)
    writes = Writes()
    try:
        client.expect(READY_WITHIN)
        started = time.perf_counter()
        try:
            yield writes
        finally:
            writes.elapsed = time.perf_counter() - started
            client.process.stdin.write("stop\n")
            client.process.stdin.flush()
            result = json.loads(client.expect(STOP_WITHIN))
            writes.count, writes.longest = result["count"], result["longest"]
            print(
                f"Приложение писало, пока шла миграция ({writes.elapsed:.2f} с): "
                f"записей {writes.count}, самая долгая ждала {writes.longest:.2f} с"
            )
    finally:
        client.stop()


@contextlib.contextmanager
def report(url: str, sql: str, seconds: float) -> Iterator[None]:
    """A transaction in another process runs ``sql`` (taking its locks) and stays open for
    ``seconds``, or until the block ends, whichever comes first."""
    client = Client("report", psycopg_dsn(url), sql, str(seconds))
    try:
        client.expect(READY_WITHIN)
        print(f"Отчёт выполнил «{sql}» и держит транзакцию открытой до {seconds:g} с.")
        yield
    finally:
        client.stop()
