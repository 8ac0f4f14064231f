"""The learner's progress: every check verdict they saw, kept in their own work/.

work/progress.jsonl holds one JSON object a line (UTF-8, only ever appended):

    {"time": "2026-05-04T10:15:02+03:00", "user": "ivan", "event": "start",
     "lesson": "02_revisions"}
    {"time": "...", "user": "ivan", "event": "check", "lesson": "02_revisions",
     "exercise": 2, "kind": "apply", "ok": true}

A verdict is recorded once, when it is displayed (checks/verdict.py). The exercise is found in
the lesson's notebook: the running cell's id (JupyterLab and nbclient send it with the request)
or, failing that, its source, matched against the cells tagged ``check`` that follow a cell
tagged ``exercise`` and ``apply``/``fix``/``predict``. Nothing leaves the machine; the only
personal datum is the name of the account the kernel runs as.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.core.shell import get_shell

PROGRESS_FILE = "progress.jsonl"
KINDS = ("apply", "fix", "predict")
_paused = 0  # > 0 while upto= replays the lesson's cells: those verdicts nobody saw


@dataclass(frozen=True)
class Exercise:
    number: int  # 1, 2, 3 … in the order of the lesson
    kind: str | None  # apply | fix | predict


def progress_path(work: Path = WORK_DIR) -> Path:
    return work / PROGRESS_FILE


@contextmanager
def paused() -> Iterator[None]:
    """Record nothing inside the block (a quiet replay of the lesson's own cells)."""
    global _paused
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1


# -- which exercise a check cell belongs to ------------------------------------------------------


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


@lru_cache(maxsize=64)
def _check_cells(notebook: Path, mtime_ns: int) -> tuple[dict, dict, tuple[Exercise, ...]]:
    """(cell id → exercise, source → exercise, every exercise) of one lesson notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    by_id: dict[str, Exercise] = {}
    by_source: dict[str, Exercise] = {}
    found: list[Exercise] = []
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "exercise" in tags:
            kind = next((k for k in KINDS if k in tags), None)
            found.append(Exercise(len(found) + 1, kind))
        elif "check" in tags and found:
            source = "".join(cell.get("source", []))
            if cell.get("id"):
                by_id[cell["id"]] = found[-1]
            by_source.setdefault(_normal(source), found[-1])
    return by_id, by_source, tuple(found)


def _notebook_data(lesson: str, root: Path = REPO_ROOT) -> tuple[dict, dict, tuple]:
    path = root / "notebooks" / f"{lesson}.ipynb"
    try:
        return _check_cells(path, path.stat().st_mtime_ns)
    except (OSError, ValueError):  # a lesson of the learner's own, or a broken file
        return {}, {}, ()


def lesson_exercises(lesson: str, root: Path = REPO_ROOT) -> tuple[Exercise, ...]:
    return _notebook_data(lesson, root)[2]


def running_cell() -> tuple[str | None, str | None]:
    """(cell id, source) of the cell the kernel is executing, from the request's message."""
    shell = get_shell()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None, None
    with suppress(Exception):  # an ipykernel without get_parent: no id, no source
        parent = kernel.get_parent("shell") or {}
        return parent.get("metadata", {}).get("cellId"), parent.get("content", {}).get("code")
    return None, None


def identify(lesson: str, cell_id: str | None, source: str | None) -> Exercise | None:
    by_id, by_source, _ = _notebook_data(lesson)
    if cell_id and cell_id in by_id:
        return by_id[cell_id]
    if source:
        return by_source.get(_normal(source))
    return None


# -- writing and reading -------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _append(record: dict) -> None:
    """One line, appended: never breaks the check or the lesson (a full disk loses a line)."""
    if _paused:
        return
    line = json.dumps({"time": _now(), "user": getpass.getuser(), **record}, ensure_ascii=False)
    with suppress(OSError):
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        with progress_path().open("a", encoding="utf-8") as file:
            file.write(line + "\n")


def record_start(lesson: str) -> None:
    _append({"event": "start", "lesson": lesson})


def record_verdict(ok: bool) -> None:
    """The verdict of the check cell running now, in the active lesson (none: nothing)."""
    from lessonkit.lesson.state import current_lesson

    lesson = current_lesson()
    if lesson is None:
        return
    exercise = identify(lesson.name, *running_cell())
    _append(
        {
            "event": "check",
            "lesson": lesson.name,
            "exercise": exercise.number if exercise else None,
            "kind": exercise.kind if exercise else None,
            "ok": bool(ok),
        }
    )


def read_records(path: Path) -> list[dict]:
    """Every well-formed record of a progress file (a line cut short by a crash is skipped)."""
    records = []
    with suppress(FileNotFoundError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict) and record.get("lesson") and record.get("time"):
                    records.append(record)
    return records
