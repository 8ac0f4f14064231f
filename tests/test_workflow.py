"""The GitHub Actions workflow (.github/workflows/portability.yml), checked offline: it cannot
run here, so its schema, zizmor's security audit and what it promises (the learners'
platforms, a folder with a space, actions pinned by commit) are checked instead."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lessonkit.core.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "portability.yml"
# The nightly run of every answer on PostgreSQL and DuckDB (too long for .ci/run).
ANSWERS = REPO_ROOT / ".github" / "workflows" / "answers.yml"
WORKFLOWS = [WORKFLOW, ANSWERS]
BIN = Path(sys.executable).parent  # the environment's own tools (.venv/bin, .venv\Scripts)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (it is in requirements.lock)")
    return found


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=600
    )


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


@pytest.mark.heavy
def test_the_workflow_follows_github_s_schema():
    done = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, WORKFLOWS),
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_offline():
    done = run(tool("zizmor"), "--offline", "--persona=pedantic", *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_nightly_run_tries_every_answer_on_the_other_databases():
    job = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))["jobs"]["answers"]
    commands = [step["run"] for step in job["steps"] if "run" in step]
    assert "python course.py test-all -m exhaustive tests/test_notebooks.py" in commands
    assert job["permissions"] == {"contents": "read"}


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


@pytest.mark.heavy
def test_the_notebook_step_selects_a_lesson_per_database():
    """The step's -k expression, collected here: the test names it relies on still exist."""
    job = workflow()["jobs"]["course"]
    command = next(s["run"] for s in job["steps"] if "test_notebooks.py" in s.get("run", ""))
    words = shlex.split(command)
    assert words[:4] == ["python", "course.py", "test", "tests/test_notebooks.py"]
    collected = run(sys.executable, "-m", "pytest", "--collect-only", "-q", *words[3:])
    names = sorted(line for line in collected.stdout.splitlines() if "::" in line)
    assert names == [
        "tests/test_notebooks.py::test_lesson_every_way_on_sqlite[02_revisions]",
        "tests/test_notebooks.py::test_lesson_every_way_on_sqlite[13_1_branches]",
        "tests/test_notebooks.py::test_lesson_on_duckdb[02_revisions]",
        "tests/test_notebooks.py::test_lesson_on_postgres[02_revisions]",
    ], collected.stdout + collected.stderr


def test_actions_are_pinned_by_commit_and_read_only():
    text = "".join(path.read_text(encoding="utf-8") for path in WORKFLOWS)
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", u) for u in uses), uses
    assert workflow()["permissions"] == {}
    assert workflow()["jobs"]["course"]["permissions"] == {"contents": "read"}
