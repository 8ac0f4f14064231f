"""One running copy of a lesson's application (run as a script, not imported).

    python app_process.py <app.py> <version> <dsn> <pause seconds> <max id>

<app.py> is the lesson's own file: ``VERSIONS = {"v1": {"write": sql, "read": sql}, ...}``,
what each release of the application sends to the database; a statement may use
``%(n)s`` (the number of the round), ``%(name)s`` (a name made from it) and ``%(id)s`` (a row
id picked at random from 1 to <max id>). The process connects with
psycopg in autocommit mode (each statement its own transaction, as a web request), says READY,
and after a line on stdin writes and reads in a loop until stdin closes or LIMIT seconds pass.
It prints STARTED after its first round, and at the end one line: RESULT {json} — how many
writes and reads succeeded, failed (with the first message of each kind), read an empty value,
and the longest a statement took. Only the standard library and psycopg are imported.
"""

from __future__ import annotations

import json
import random
import runpy
import sys
import threading
import time
from collections import Counter

import psycopg

READY, STARTED, RESULT = "READY", "STARTED", "RESULT "
LIMIT = 300.0  # seconds: a run the course forgot to stop ends by itself


class Stats:
    def __init__(self) -> None:
        self.ok = self.failed = self.empty = 0
        self.errors: Counter[str] = Counter()
        self.longest = 0.0

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "empty": self.empty,
            "errors": self.errors.most_common(3),
            "longest": round(self.longest, 3),
        }


def message(exc: psycopg.Error) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def execute(conn, sql: str, params: dict, stats: Stats, reading: bool) -> None:
    started = time.perf_counter()
    try:
        row = conn.execute(sql, params).fetchone() if reading else conn.execute(sql, params)
    except psycopg.Error as exc:
        stats.failed += 1
        stats.errors[message(exc)] += 1
    else:
        stats.ok += 1
        if reading and (row is None or row[0] is None):
            stats.empty += 1
    finally:
        stats.longest = max(stats.longest, time.perf_counter() - started)


def main() -> int:
    app_file, version, dsn = sys.argv[1], sys.argv[2], sys.argv[3]
    pause, max_id = float(sys.argv[4]), int(sys.argv[5])
    statements = runpy.run_path(app_file)["VERSIONS"][version]
    stop = threading.Event()
    with psycopg.connect(dsn, autocommit=True) as conn:
        print(READY, flush=True)
        if not sys.stdin.readline():
            return 3

        def wait_for_eof() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=wait_for_eof, daemon=True).start()
        writes, reads, n, ends = Stats(), Stats(), 0, time.monotonic() + LIMIT
        while not stop.is_set() and time.monotonic() < ends:
            n += 1
            params = {"n": n, "name": f"Покупатель {n}", "id": random.randint(1, max_id)}
            if "write" in statements:
                execute(conn, statements["write"], params, writes, reading=False)
            if "read" in statements:
                execute(conn, statements["read"], params, reads, reading=True)
            if n == 1:
                print(STARTED, flush=True)
            time.sleep(pause)
    result = {"rounds": n, "writes": writes.as_dict(), "reads": reads.as_dict()}
    print(RESULT + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
