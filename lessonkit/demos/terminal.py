"""Lesson 11.2: an Alembic command as a terminal runs it, beside `%alembic` in the kernel.

    alembic_in_terminal("-n staging current")

The kernel has its current folder on sys.path, a terminal does not: a configuration that
works with `%alembic` can fail in a terminal. The output is printed as the terminal shows it;
a failure shows its last lines and marks the cell as failed.
"""

from __future__ import annotations

import shlex

from lessonkit.cli.terminal import alembic_process
from lessonkit.core.errors import AlembicCommandFailed
from lessonkit.core.paths import shorten_paths
from lessonkit.lesson.state import active_lesson

SHOWN_ON_FAILURE = 3  # last lines of a failed command: the error, not the whole traceback


def alembic_in_terminal(command: str) -> None:
    """Run `alembic <command>` in the lesson's sandbox as a new process and print its output."""
    lesson = active_lesson()
    done = alembic_process(shlex.split(command), lesson.sandbox)
    output = shorten_paths(done.stdout + done.stderr)
    if done.returncode == 0:
        print(output, end="")
        return
    lines = [line for line in output.splitlines() if line.strip()]
    print("…\n" + "\n".join(lines[-SHOWN_ON_FAILURE:]))
    raise AlembicCommandFailed(
        f"`alembic {command}` в терминале завершилась с ошибкой (код {done.returncode}): "
        f"{lines[-1] if lines else ''}",
        None,
        done.returncode,
    )
