"""One Alembic command in several processes at once: replicas of an application that each run
`alembic upgrade head` on start-up.

Each replica is a real process of the course's Python (``sys.executable``) running
replica_process.py in the sandbox: it imports Alembic first, says READY and waits; when every
replica is ready, all get the signal together (a line on stdin — a barrier that works on every
OS), so their commands begin within milliseconds of each other. Every wait is bounded: a replica
that is not ready, or not finished, in time is killed, and nothing keeps running after the call.
PGAPPNAME names each replica's connections in PostgreSQL («replica-1», …).
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from lessonkit.core.portable import utf8_environment

CHILD = Path(__file__).with_name("replica_process.py")
READY, RESULT = "READY", "RESULT "
RUNNING = re.compile(r"Running (upgrade|downgrade) (.*)$", re.M)


@dataclass
class ReplicaRun:
    name: str
    code: int | None  # the command's exit code; None: killed (did not finish in time)
    seconds: float = 0.0
    output: str = ""
    current: list[str] | None = None  # the database's revisions when the replica was done
    heads: list[str] | None = None
    extra: list[str] = field(default_factory=list)  # what the process printed besides

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def applied(self) -> list[str]:
        """The migrations this replica ran («001 -> 002, message»), from Alembic's log."""
        return [" ".join(step) for step in RUNNING.findall(self.output)]

    @property
    def at_head(self) -> bool:
        return self.current is not None and self.current == self.heads

    @property
    def error(self) -> str:
        """The line a terminal would end with: Alembic's FAILED or the exception's first line."""
        if self.code is None:
            return "не завершилась вовремя и остановлена"
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        failed = [line for line in lines if line.startswith("FAILED") or "Error" in line]
        return failed[-1] if failed else (lines[-1] if lines else "")


class ChildProcess:
    """A process of the course's Python running ``script`` with ``argv``: its output read line
    by line in a thread (``wait_for`` is bounded), one line (or EOF) sent to its stdin, killed
    by ``stop`` if still alive. PGAPPNAME names its PostgreSQL connections."""

    def __init__(self, name: str, script: Path, argv: list[str], cwd: Path):
        env = utf8_environment()
        env["PGAPPNAME"] = name
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(script), *argv],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.extra: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str, deadline: float) -> str | None:
        """The first line starting with ``prefix`` (others are kept), or None at EOF/deadline."""
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith(prefix):
                return line
            self.extra.append(line)

    def send(self, text: str, close: bool = True) -> None:
        try:
            self.process.stdin.write(text)
            self.process.stdin.flush()
            if close:
                self.process.stdin.close()
        except OSError:  # it is gone already: its result (or its absence) says why
            pass

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # the OS did not kill it
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def run_at_once(
    count: int,
    argv: list[str],
    sandbox: Path,
    timeout: float = 120.0,
    ready_timeout: float = 60.0,
    names: list[str] | None = None,
    on_go=None,
) -> list[ReplicaRun]:
    """``count`` processes run `alembic <argv>` in ``sandbox``, started together.

    on_go: called right before the signal (e.g. to start a sampler of the database).
    """
    names = names or [f"replica-{i}" for i in range(1, count + 1)]
    replicas = [ChildProcess(name, CHILD, argv, sandbox) for name in names]
    runs: list[ReplicaRun] = []
    try:
        ready_by = time.monotonic() + ready_timeout
        ready = [r.wait_for(READY, ready_by) is not None for r in replicas]
        if not all(ready):
            for replica in replicas:
                replica.send("")  # EOF: run nothing
            return [ReplicaRun(r.name, None, extra=r.extra) for r in replicas]
        if on_go is not None:
            on_go()
        for replica in replicas:
            replica.send("go\n")
        done_by = time.monotonic() + timeout
        for replica in replicas:
            line = replica.wait_for(RESULT, done_by)
            if line is None:
                runs.append(ReplicaRun(replica.name, None, extra=replica.extra))
                continue
            data = json.loads(line[len(RESULT) :])
            runs.append(
                ReplicaRun(
                    replica.name,
                    data["code"],
                    data["seconds"],
                    data["output"],
                    data.get("current"),
                    data.get("heads"),
                    replica.extra,
                )
            )
    finally:
        for replica in replicas:
            replica.stop()
    return runs
