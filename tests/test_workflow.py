"""The GitHub Actions workflow (.github/workflows/portability.yml), checked offline: it cannot
run here, so its schema, zizmor's security audit and what it promises (the learners'
platforms, a folder with a space, actions pinned by commit) are checked instead."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lessonkit.core.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "portability.yml"
BIN = Path(sys.executable).parent  # the environment's own tools (.venv/bin, .venv\Scripts)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (it is in requirements.lock)")
    return found


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_follows_github_s_schema():
    done = run(
        tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_offline():
    done = run(tool("zizmor"), "--offline", "--persona=pedantic", str(WORKFLOW))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_matrix_is_where_learners_are():
    job = workflow()["jobs"]["course"]
    matrix = job["strategy"]["matrix"]
    assert set(matrix["os"]) == {
        "windows-latest",
        "macos-latest",
        "macos-15-intel",
        "ubuntu-latest",
    }
    assert matrix["python"] == ["3.11", "3.13"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert " " in checkout["with"]["path"], "a folder with a space, as C:\\Users\\Ivan Petrov"
    assert job["defaults"]["run"]["working-directory"] == checkout["with"]["path"]
    commands = [s.get("run", "") for s in job["steps"]]
    assert any(c.startswith("python course.py test-fast") for c in commands), "no make"
    notebooks = next(c for c in commands if "test_notebooks.py" in c)
    for database in ("solution", "postgres", "duckdb"):  # one run per database
        assert database in notebooks


def test_actions_are_pinned_by_commit_and_read_only():
    text = WORKFLOW.read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", u) for u in uses), uses
    assert workflow()["permissions"] == {}
    assert workflow()["jobs"]["course"]["permissions"] == {"contents": "read"}
