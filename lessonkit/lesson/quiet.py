"""Run a lesson's cells in this kernel without showing anything: not their output, not their
errors. An exercise check replays the cells that set the exercise up and the course's
solution on scratch copies; the learner must see only the verdict.

IPython's capture_output takes stdout, stderr and display data; an error, though, goes through
``showtraceback`` straight to the kernel's error channel (and a CourseError displays its box
from there), so that is silenced too while a cell runs.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from IPython.utils.capture import capture_output

from lessonkit.core.shell import get_shell


@dataclass(frozen=True)
class QuietResult:
    ok: bool
    error: BaseException | None
    output: str  # what the cell printed, for a message when it should not have failed


@contextlib.contextmanager
def _no_tracebacks(shell) -> Iterator[None]:
    saved = shell.showtraceback, shell.showsyntaxerror
    shell.showtraceback = lambda *args, **kwargs: None
    shell.showsyntaxerror = lambda *args, **kwargs: None
    try:
        yield
    finally:
        shell.showtraceback, shell.showsyntaxerror = saved


def run_quietly(source: str) -> QuietResult:
    shell = get_shell()
    with capture_output() as captured, _no_tracebacks(shell):
        result = shell.run_cell(source, store_history=False)
    error = result.error_in_exec or result.error_before_exec
    return QuietResult(error is None, error, captured.stdout + captured.stderr)


def forget_errors(collect: bool = True) -> None:
    """A cell that failed here on purpose must not look like the learner's last error, and
    what it left for the garbage collector (an unawaited coroutine) must warn here, silently,
    not in some later cell. Collecting costs a few hundred ms: only after a failure."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    if collect:
        with capture_output():
            gc.collect()
