"""Kernel → Interrupt, pressed for the learner after a delay (lesson 19.3):

    with interrupt_after(1.0):     # as if ■ were pressed a second in, or a release step
        %alembic upgrade head      # were stopped by its time limit

The cell's thread gets what the ■ button sends on each system, so %alembic reports the
interruption as it does for a real press. A block that ends first is not interrupted.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import threading
from collections.abc import Iterator


def press_interrupt() -> None:
    """What Jupyter's ■ does to the kernel's main thread."""
    if hasattr(signal, "pthread_kill"):
        # Linux, macOS: a real SIGINT, which also wakes a call blocked in C (a sleep, a socket)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    else:
        _thread.interrupt_main()  # Windows: ipykernel's own interrupt calls this


@contextlib.contextmanager
def interrupt_after(seconds: float) -> Iterator[None]:
    timer = threading.Timer(seconds, press_interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
