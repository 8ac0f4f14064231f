"""One replica of an application that runs Alembic on start-up (run as a script, not imported).

    python replica_process.py upgrade head      (working folder: the lesson's sandbox)

The slow part of a start — importing Alembic and SQLAlchemy — comes first; then the process
prints READY and waits for a line on stdin, so that all replicas begin the command within a few
milliseconds of each other (an empty stdin: it stops without running anything). It runs the
real `alembic` command line (alembic.config.main), then asks the database which revision it
is on, and prints one line: RESULT {json}. Only the standard library, Alembic and SQLAlchemy are
imported: the process knows nothing of the course.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time

import alembic.config
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

READY, RESULT = "READY", "RESULT "


def database_revision(config_file: str) -> tuple[list[str], list[str]]:
    """(the database's revisions, the scripts' heads) after the command."""
    config = alembic.config.Config(config_file)
    heads = ScriptDirectory.from_config(config).get_heads()
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url"), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    finally:
        engine.dispose()
    return sorted(current), sorted(heads)


def run(argv: list[str]) -> dict:
    output, code, started = io.StringIO(), 0, time.perf_counter()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            alembic.config.main(argv=argv, prog="alembic")
    except SystemExit as exc:  # Alembic's own «FAILED: …» ends with sys.exit(-1)
        code = exc.code % 256 if isinstance(exc.code, int) else 1  # as a shell reports it
    except Exception as exc:  # what the terminal would show as the traceback's last line
        code = 1
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        output.write(f"{type(exc).__name__}: {first}\n")
    seconds = time.perf_counter() - started
    result = {"code": code, "seconds": round(seconds, 3), "output": output.getvalue()}
    config_file = argv[argv.index("-c") + 1] if "-c" in argv else "alembic.ini"
    try:
        result["current"], result["heads"] = database_revision(config_file)
    except Exception as exc:
        result["current"], result["heads"] = None, None
        result["probe_error"] = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return result


def main() -> int:
    print(READY, flush=True)
    if not sys.stdin.readline():
        return 3  # the course gave up waiting for the others: run nothing
    print(RESULT + json.dumps(run(sys.argv[1:]), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
