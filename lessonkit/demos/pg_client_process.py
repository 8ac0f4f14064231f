"""A client of the lesson's PostgreSQL in a process of its own (lesson 19.4).

Run by path, not imported: it needs only the standard library and psycopg, so it starts in a
fraction of the time a process importing lessonkit would. Two modes:

    writer <dsn> <sql>            the application: runs <sql> every 10 ms in autocommit mode
                                  until a line arrives on stdin (or 120 s pass), then prints
                                  {"count": …, "longest": …} as JSON
    report <dsn> <sql> <seconds>  a long transaction: runs <sql>, keeps the transaction open
                                  <seconds> (or until stdin closes), then commits

Each prints «ready» when it holds its connection (and, for a report, its locks), so the parent
knows when the measurement starts. Every wait is bounded: no process outlives its parent's cell.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import psycopg

LONGEST_RUN = 120.0  # seconds: a writer nobody stopped ends by itself
PAUSE = 0.01


def _stdin_closed_or_line(event: threading.Event) -> None:
    sys.stdin.readline()  # a line, or EOF when the parent goes away
    event.set()


def _watch_stdin() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_stdin_closed_or_line, args=(stop,), daemon=True).start()
    return stop


def writer(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True, application_name="app-write") as conn:
        conn.execute("SET synchronous_commit = off")  # measure lock waits, not the disk
        conn.execute(sql)
        print("ready", flush=True)
        stop, count, longest = _watch_stdin(), 0, 0.0
        deadline = time.monotonic() + LONGEST_RUN
        while not stop.is_set() and time.monotonic() < deadline:
            started = time.perf_counter()
            conn.execute(sql)
            longest = max(longest, time.perf_counter() - started)
            count += 1
            time.sleep(PAUSE)
    print(json.dumps({"count": count, "longest": longest}), flush=True)


def report(dsn: str, sql: str, seconds: float) -> None:
    with psycopg.connect(dsn, application_name="report") as conn:  # leaving `with`: COMMIT
        conn.execute(sql)
        print("ready", flush=True)
        _watch_stdin().wait(min(seconds, LONGEST_RUN))
    print("done", flush=True)


def main(argv: list[str]) -> int:
    mode, dsn, sql = argv[:3]
    if mode == "writer":
        writer(dsn, sql)
    elif mode == "report":
        report(dsn, sql, float(argv[3]))
    else:
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
