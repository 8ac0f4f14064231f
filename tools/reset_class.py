"""Between two groups: work/ as a fresh clone has it, notebooks/ as in git, instructor/ without
what the instructor build made.

    python tools/reset_class.py             # list, then remove
    python tools/reset_class.py --dry-run   # only list what would go

What learners added under notebooks/ (copies «…-Copy1.ipynb», «Untitled.ipynb», notes,
.ipynb_checkpoints/) is listed, then removed; the lesson notebooks are checked out again.
In instructor/ only the files the build wrote (its manifest) go: notebooks the instructor made
there stay, and are listed. Run by `course.py reset-class` after the course's PostgreSQL was
stopped and its data deleted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lessonkit.core.portable import remove_tree  # noqa: E402
from tools.build_notebooks import MANIFEST  # noqa: E402

INSTRUCTOR = ROOT / "instructor"


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, encoding="utf-8", check=True
    )
    return done.stdout


def learner_additions() -> list[Path]:
    """Files under notebooks/ that git does not track: new, or ignored (checkpoints). -z: the
    names come unquoted, as they are («мои заметки.md» would otherwise be "\\320\\274…")."""
    listed = git("ls-files", "-z", "--others", "--exclude-standard", "--directory", "notebooks")
    listed += git(
        "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "notebooks"
    )
    return sorted({ROOT / name.rstrip("/") for name in listed.split("\0") if name.strip()})


def instructor_build_files() -> tuple[list[Path], list[Path]]:
    """(what the instructor build made, what else is in instructor/)."""
    manifest = INSTRUCTOR / MANIFEST
    if not INSTRUCTOR.is_dir():
        return [], []
    made = set(json.loads(manifest.read_text(encoding="utf-8"))) if manifest.exists() else set()
    # JupyterLab's checkpoint of a built notebook is the build's too.
    checkpoints = {f"{Path(name).stem}-checkpoint{Path(name).suffix}" for name in made}
    built, others = [], []
    for path in sorted(p for p in INSTRUCTOR.rglob("*") if p.is_file()):
        relative = path.relative_to(INSTRUCTOR).as_posix()
        ours = relative in made or relative == MANIFEST
        ours |= path.parent.name == ".ipynb_checkpoints" and path.name in checkpoints
        (built if ours else others).append(path)
    return built, others


def remove(path: Path) -> None:
    if path.is_dir():
        remove_tree(path)
    else:
        path.unlink(missing_ok=True)


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def main(arguments: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="replace")
    dry_run = "--dry-run" in arguments
    additions = learner_additions()
    built, kept = instructor_build_files()
    if additions:
        print("Добавлено в notebooks/ учащимися" + (":" if dry_run else " — удаляю:"))
        for path in additions:
            print(f"  {shown(path)}{'/' if path.is_dir() else ''}")
    else:
        print("В notebooks/ учащиеся ничего не добавили.")
    if kept:
        print("В instructor/ остаются ваши файлы (их сделала не сборка):")
        print("\n".join(f"  {shown(path)}" for path in kept))
    if dry_run:
        print("Это список: ничего не удалено. Удалить — без --dry-run.")
        return 0
    for path in additions:
        remove(path)
    git("checkout", "--", "notebooks")
    print("notebooks/ — как в git.")
    for path in built:
        remove(path)
    if built:
        print(f"instructor/: удалено то, что собрала сборка ({len(built)} файлов).")
    for folder in sorted(INSTRUCTOR.rglob("*"), reverse=True) if INSTRUCTOR.is_dir() else []:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # an emptied .ipynb_checkpoints/
    if INSTRUCTOR.is_dir() and not any(INSTRUCTOR.iterdir()):
        INSTRUCTOR.rmdir()
    remove_tree(ROOT / "work")
    print("work/ удалена.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
