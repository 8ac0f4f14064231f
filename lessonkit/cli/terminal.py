"""`alembic` as a new process, the way a terminal runs it.

`%alembic` runs Alembic inside the kernel, whose sys.path holds the current folder (''): a
sandbox's models.py imports there even when alembic.ini does not say prepend_sys_path. The
console script `alembic` in a terminal has no such entry. ``python -P`` (Python 3.11+) starts
the same way: the current folder is not put on sys.path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

START = "import sys; from alembic.config import main; sys.exit(main())"


def alembic_process(
    argv: list[str], cwd: Path, env: dict[str, str | None] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    """Run `alembic <argv>` in ``cwd`` as a new process; ``env`` adds (or, with None, removes)
    environment variables. stdout is the SQL of --sql, stderr the log, as in a terminal."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
    for key, value in (env or {}).items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(
        [sys.executable, "-P", "-c", START, *argv],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env=environment,
        timeout=timeout,
    )
