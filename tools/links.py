"""The links an instructor hands out, built from this clone's `git remote get-url origin`.

    python course.py binder-link                          # Binder, opens lesson 00
    python course.py hub-link https://hub.example.ru      # a class server: nbgitpuller link
    python course.py hub-link https://hub.example.ru --repo https://github.com/me/course

The nbgitpuller link pulls (or updates) the course into ~/alembic-na-praktike of whoever opens
it, then opens lesson 00 in JupyterLab. Without an origin remote, --repo is required for the hub
link, and the Binder link says which part to replace.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
COURSE_FOLDER = "alembic-na-praktike"
FIRST_LESSON = "notebooks/00_intro.ipynb"
PLACEHOLDER = "OWNER/REPO"
# git@github.com:owner/repo.git, ssh://git@github.com/owner/repo, https://github.com/owner/repo.git
GITHUB = re.compile(r"github\.com[:/](?P<slug>[^/\s]+/[^/\s]+?)(?:\.git)?/?$")


def origin_url(root: Path = ROOT) -> str | None:
    done = subprocess.run(
        ["git", "remote", "get-url", "origin"],
        cwd=root,
        capture_output=True,
        encoding="utf-8",
    )
    return done.stdout.strip() or None if done.returncode == 0 else None


def github_slug(url: str | None) -> str | None:
    match = GITHUB.search(url or "")
    return match.group("slug") if match else None


def public_url(url: str) -> str:
    """The address a learner's server can clone without keys: https for GitHub."""
    slug = github_slug(url)
    return f"https://github.com/{slug}" if slug else url


def binder_link(slug: str | None, ref: str = "HEAD") -> str:
    return (
        f"https://mybinder.org/v2/gh/{slug or PLACEHOLDER}/{ref}"
        f"?urlpath={quote('lab/tree/' + FIRST_LESSON, safe='')}"
    )


def hub_link(hub: str, repo: str, branch: str = "main") -> str:
    query = urlencode(
        {
            "repo": repo,
            "branch": branch,
            "urlpath": f"lab/tree/{COURSE_FOLDER}/{FIRST_LESSON}",
            "targetpath": COURSE_FOLDER,
        }
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="course.py hub-link | binder-link", description=__doc__)
    parser.add_argument("what", choices=("binder-link", "hub-link"))
    parser.add_argument("hub", nargs="?", help="адрес JupyterHub, например https://hub.example.ru")
    parser.add_argument("--repo", help="адрес репозитория курса (по умолчанию — origin)")
    parser.add_argument("--branch", default="main")
    options = parser.parse_args(argv)
    origin = origin_url()
    if options.what == "binder-link":
        slug = github_slug(options.repo or origin)
        print(binder_link(slug))
        if slug is None:
            print(
                f"\nУ этой копии нет remote origin на GitHub: замените {PLACEHOLDER} в ссылке "
                "на «владелец/репозиторий» (или укажите --repo https://github.com/…).",
                file=sys.stderr,
            )
        return 0
    if not options.hub:
        parser.error("укажите адрес JupyterHub: course.py hub-link https://hub.example.ru")
    repo = options.repo or origin
    repo = public_url(repo) if repo else None
    if repo is None:
        print(
            "У этой копии нет remote origin: укажите адрес репозитория курса, "
            "например --repo https://github.com/owner/alembic-na-praktike",
            file=sys.stderr,
        )
        return 1
    print(hub_link(options.hub, repo, options.branch))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
