"""Between two groups: work/ and instructor/ as a fresh clone has them, notebooks/ as in git.

What learners added under notebooks/ (copies «…-Copy1.ipynb», «Untitled.ipynb», notes,
.ipynb_checkpoints/) is listed, then removed; the lesson notebooks are checked out again.
Run by `course.py reset-class` after the course's PostgreSQL was stopped and its data deleted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lessonkit.core.portable import remove_tree

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, encoding="utf-8", check=True
    )
    return done.stdout


def learner_additions() -> list[Path]:
    """Files under notebooks/ that git does not track: new, or ignored (checkpoints)."""
    listed = git("ls-files", "--others", "--exclude-standard", "notebooks")
    listed += git(
        "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "notebooks"
    )
    return sorted({ROOT / line.rstrip("/") for line in listed.splitlines() if line.strip()})


def main() -> int:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="replace")
    additions = learner_additions()
    if additions:
        print("Удаляю то, что добавили в notebooks/ учащиеся:")
        for path in additions:
            print(f"  {path.relative_to(ROOT).as_posix()}")
            if path.is_dir():
                remove_tree(path)
            else:
                path.unlink(missing_ok=True)
    git("checkout", "--", "notebooks")
    print("notebooks/ — как в git.")
    for folder in ("work", "instructor"):
        remove_tree(ROOT / folder)
        print(f"{folder}/ удалена.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
