"""Start JupyterLab as `make lab` does, on a free port, and wait until it answers.

Used by `make check-setup`, the repository test and the browser test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from lessonkit.core.portable import is_root

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "course-local-check"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_lab(*options: str, timeout: float = 90) -> tuple[str, subprocess.Popen]:
    """(base URL, process) of a JupyterLab serving the repository; the token is TOKEN.
    Raises TimeoutError when it does not answer in ``timeout`` seconds."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={ROOT}",
        *options,
    ] + (["--allow-root"] if is_root() else [])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            return base, server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop_lab(server)
                raise TimeoutError("JupyterLab не ответил") from None
            time.sleep(0.3)


def stop_lab(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
