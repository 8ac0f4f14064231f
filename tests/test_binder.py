"""Binder: the image carries what a learner needs (requirements-learner.txt, the lock's own pins
without the developers' tools), and repo2docker — reading the repository offline, without
building — plans exactly the steps we expect. The badge's address comes from `git remote`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from lessonkit.core.paths import REPO_ROOT
from tools import links

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)(.*)$", re.M)
# ruff is not here: lesson 20.2 formats new revisions with it (a post-write hook).
DEVELOPERS_ONLY = (
    "playwright",
    "jupyterhub",
    "jupyter-repo2docker",
    "pytest-xdist",
    "zizmor",
    "check-jsonschema",
    "jupytext",
    "uv",
)


def pins(name: str) -> dict[str, tuple[str, str]]:
    text = (REPO_ROOT / name).read_text(encoding="utf-8")
    return {m[1].lower(): (m[2], m[3].strip()) for m in PIN.finditer(text)}


def canonical(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_learner_file_has_the_locks_pins_and_no_developer_tools():
    lock, learner = pins("requirements.lock"), pins("requirements-learner.txt")
    assert learner, "requirements-learner.txt has pins"
    for name, pin in learner.items():
        assert lock.get(name) == pin, f"{name}: {pin} in the learner file, {lock.get(name)} locked"
    for name in DEVELOPERS_ONLY:
        assert name not in learner, f"{name} is for developers, not for a learner's image"
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["lessons"]
    missing = {canonical(r) for r in wanted} - set(learner)
    assert not missing, f"a lesson needs them: {missing}"


def test_environment_yml_and_postbuild_use_the_learner_file():
    environment = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "- -r requirements-learner.txt" in environment
    assert "requirements.lock" not in environment.split("dependencies:")[1]
    assert "tools/install_jupyter_config.py" in (REPO_ROOT / "postBuild").read_text("utf-8")


def test_repo2docker_plans_the_conda_environment_and_postbuild():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "repo2docker",
            "--no-build",
            "--debug",
            "--user-id",
            "1000",
            "--user-name",
            "jovyan",
            str(REPO_ROOT),
        ],
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    dockerfile = done.stdout
    assert "Building conda environment for python=3.11" in done.stderr
    steps = [line for line in dockerfile.splitlines() if line.startswith(("RUN", "COPY"))]
    assert any('--file "environment.yml"' in line for line in dockerfile.splitlines())
    assert "RUN ./postBuild" in steps
    # nothing else of ours: no requirements.txt, apt.txt, install.R, start, Project.toml
    for other in ("requirements.txt", "apt.txt", "install.R", "Project.toml", "setup.py"):
        assert other not in dockerfile, other
    assert dockerfile.index("environment.yml") < dockerfile.index("RUN ./postBuild")


@pytest.mark.parametrize(
    "remote",
    [
        "https://github.com/owner/alembic-na-praktike.git",
        "https://github.com/owner/alembic-na-praktike",
        "git@github.com:owner/alembic-na-praktike.git",
        "ssh://git@github.com/owner/alembic-na-praktike",
    ],
)
def test_the_badge_address_comes_from_the_remote(remote):
    assert links.github_slug(remote) == "owner/alembic-na-praktike"
    assert links.binder_link(links.github_slug(remote)) == (
        "https://mybinder.org/v2/gh/owner/alembic-na-praktike/HEAD"
        "?urlpath=lab%2Ftree%2Fnotebooks%2F00_intro.ipynb"
    )
    assert links.public_url(remote) == "https://github.com/owner/alembic-na-praktike"


def test_without_a_github_remote_the_link_keeps_the_placeholder_and_says_so(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert links.origin_url(tmp_path) is None
    assert "OWNER/REPO" in links.binder_link(links.github_slug(None))


def test_the_hub_link_pulls_the_course_and_opens_lesson_00():
    link = links.hub_link("https://hub.example.ru/", "https://github.com/owner/course", "main")
    assert link == (
        "https://hub.example.ru/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fowner"
        "%2Fcourse&branch=main&urlpath=lab%2Ftree%2Falembic-na-praktike%2Fnotebooks%2F"
        "00_intro.ipynb&targetpath=alembic-na-praktike"
    )
