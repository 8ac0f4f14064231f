"""Lesson 16.2's CI run: the project's tests as CI runs them — `python -m pytest` in a new
process, in the lesson's folder — and, of its output, only what a reader needs: each test's
result, the assertion lines (``E ...``) and the summary. In a terminal the same run also shows
the tracebacks.

    pytest_ci()                    # every test
    pytest_ci("-k test_upgrade")   # the options a terminal would take
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from lessonkit.lesson.state import active_lesson

SHOWN = re.compile(r"PASSED|FAILED|^E |passed|failed")


def run_pytest(options: str = "", folder: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m pytest <options>` in ``folder`` (the lesson's sandbox), output as text."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *shlex.split(options)],
        cwd=folder or active_lesson().sandbox,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    )


def shown_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if SHOWN.search(line)]


def pytest_ci(options: str = "") -> None:
    """Run the tests and print the lines that tell what passed and what failed."""
    done = run_pytest(options)
    print("\n".join(shown_lines(done.stdout + done.stderr)))
