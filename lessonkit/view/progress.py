"""Progress tables from the records of lesson/progress.py.

progress() — in a notebook or `course.py progress`: the learner's lessons × exercises (✅ done,
❌ tried and not done yet, — not tried) and the time spent in each lesson.
class_progress(homes, course) — `course.py class-progress` on a class server: learners ×
lessons, read from every home that holds the course (the instructor needs read access there).

Time in a lesson is the sum of the gaps between its records (starts of the lesson, checks), a
gap longer than IDLE counting as a pause: a learner who comes back the next day has not spent
the night on the lesson.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lessonkit.core.markup import TableView
from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.lesson.progress import lesson_exercises, progress_path, read_records

IDLE = dt.timedelta(minutes=60)  # longer than a lesson's longest part without a check
KIND_RU = {"apply": "применить", "fix": "исправить", "predict": "предсказать", None: "задание"}
DONE, TRIED, UNTRIED = "✅", "❌", "—"


@dataclass
class LessonProgress:
    lesson: str
    exercises: tuple  # lesson/progress.Exercise of the lesson's notebook
    passed: set[int] = field(default_factory=set)
    tried: set[int] = field(default_factory=set)
    seconds: float = 0.0

    def mark(self, number: int) -> str:
        return DONE if number in self.passed else TRIED if number in self.tried else UNTRIED

    @property
    def done(self) -> int:
        return len(self.passed & {e.number for e in self.exercises})


def active_seconds(times: list[dt.datetime]) -> float:
    times = sorted(times)
    gaps = (later - earlier for earlier, later in itertools.pairwise(times))
    return sum(gap.total_seconds() for gap in gaps if gap <= IDLE)


def _time(record: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(record["time"])
    except (TypeError, ValueError):
        return None


def summarize(records: list[dict], root: Path = REPO_ROOT) -> dict[str, LessonProgress]:
    """Per lesson (in the course's order): which exercises passed, were tried, and the time."""
    lessons: dict[str, LessonProgress] = {}
    times: dict[str, list] = defaultdict(list)
    for record in records:
        name = str(record["lesson"])
        entry = lessons.setdefault(name, LessonProgress(name, lesson_exercises(name, root)))
        moment = _time(record)
        if moment is not None:
            times[name].append(moment)
        number = record.get("exercise")
        if record.get("event") == "check" and isinstance(number, int):
            entry.tried.add(number)
            if record.get("ok") is True:
                entry.passed.add(number)
    for name, entry in lessons.items():
        entry.seconds = active_seconds(times[name])
    return dict(sorted(lessons.items()))


def minutes(seconds: float) -> str:
    if not seconds:
        return "—"
    return "< 1 мин" if seconds < 60 else f"{round(seconds / 60)} мин"


class ProgressTable(TableView):
    """A TableView with a title line above it."""

    def __init__(self, title: str, header: tuple[str, ...], rows: list[tuple]):
        super().__init__(header, rows)
        self.title = title

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.title)
        if self.rows:
            printer.text("\n")
            super()._repr_pretty_(printer, cycle)

    def _repr_html_(self) -> str:
        table = super()._repr_html_() if self.rows else ""
        return f"<div><b>{html.escape(self.title)}</b></div>{table}"

    def text(self) -> str:
        from IPython.lib.pretty import pretty

        return pretty(self)


def learner_table(lessons: dict[str, LessonProgress], who: str = "") -> ProgressTable:
    width = max((len(p.exercises) for p in lessons.values()), default=3)
    header = ("урок", *(f"задание {n}" for n in range(1, width + 1)), "время")
    rows = []
    for entry in lessons.values():
        marks = [f"{entry.mark(e.number)} {KIND_RU[e.kind]}" for e in entry.exercises]
        marks += [""] * (width - len(marks))
        rows.append((entry.lesson, *marks, minutes(entry.seconds)))
    done = sum(p.done for p in lessons.values())
    total = sum(len(p.exercises) for p in lessons.values())
    spent = minutes(sum(p.seconds for p in lessons.values()))
    title = f"Прогресс{' — ' + who if who else ''}: заданий выполнено {done} из {total}, {spent}"
    if not lessons:
        title = "Прогресса пока нет: выполните ячейки-проверки заданий урока (check.…)."
    return ProgressTable(title, header, rows)


def progress(work: Path | None = None) -> ProgressTable:
    """The learner's table: lessons × exercises, with the time per lesson."""
    records = read_records(progress_path(work or WORK_DIR))
    return learner_table(summarize(records))


# -- a class on one server ---------------------------------------------------------------------


@dataclass
class Learner:
    name: str
    lessons: dict[str, LessonProgress]


def find_learners(homes: Path, course: str) -> tuple[list[Learner], list[str]]:
    """Every home under ``homes`` with a copy of the course; and the homes that could not be
    read (the instructor's account lacks the right)."""
    learners, unreadable = [], []
    try:
        folders = sorted(p for p in homes.iterdir() if p.is_dir())
    except OSError as error:
        raise FileNotFoundError(f"папку {homes} не прочитать: {error.strerror}") from None
    for home in folders:
        clone = home / course
        try:
            if not clone.is_dir():
                continue
            records = read_records(progress_path(clone / "work"))
        except PermissionError:
            unreadable.append(home.name)
            continue
        root = clone if (clone / "notebooks").is_dir() else REPO_ROOT
        learners.append(Learner(home.name, summarize(records, root)))
    return learners, unreadable


def class_table(learners: list[Learner]) -> ProgressTable:
    lessons = sorted({name for learner in learners for name in learner.lessons})
    header = ("учащийся", *lessons, "всего")
    rows = []
    for learner in learners:
        cells = []
        for name in lessons:
            entry = learner.lessons.get(name)
            if entry is None:
                cells.append(UNTRIED)
                continue
            total = len(entry.exercises)
            mark = DONE if total and entry.done == total else ""
            cells.append(f"{mark}{entry.done}/{total} · {minutes(entry.seconds)}".strip())
        done = sum(p.done for p in learner.lessons.values())
        spent = sum(p.seconds for p in learner.lessons.values())
        rows.append((learner.name, *cells, f"{done} · {minutes(spent)}"))
    title = f"Группа: {len(learners)} учащихся; в клетке — выполнено заданий из всех и время"
    return ProgressTable(title, header, rows)
