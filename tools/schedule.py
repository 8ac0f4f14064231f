"""The class schedule, from the `teaching:` / `exercises:` minutes of each lesson's front matter.

    python tools/schedule.py           # print it
    python tools/schedule.py --write   # put it into README.md and INSTRUCTOR.md (between markers)
    python tools/schedule.py --check   # exit 1 if either file is out of date (a test runs this)

Sessions of at most 90 minutes are proposed by packing whole lessons in the course's order; a
lesson longer than a session gets a session of its own.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons_src"
SESSION_MINUTES = 90
TARGETS = (ROOT / "README.md", ROOT / "INSTRUCTOR.md")
START, END = "<!-- schedule:start -->", "<!-- schedule:end -->"


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    teaching: int
    exercises: int

    @property
    def minutes(self) -> int:
        return self.teaching + self.exercises


def lessons() -> list[Lesson]:
    found = []
    for source in sorted(SOURCES.glob("[0-9][0-9]_*.md")):
        notebook = jupytext.read(source, fmt="md:myst")
        title = next(
            line[2:].strip()
            for cell in notebook.cells
            for line in cell.source.splitlines()
            if line.startswith("# ")
        )
        meta = notebook.metadata
        found.append(Lesson(source.stem, title, int(meta["teaching"]), int(meta["exercises"])))
    return found


def sessions(all_lessons: list[Lesson]) -> list[list[Lesson]]:
    packed: list[list[Lesson]] = [[]]
    for lesson in all_lessons:
        if packed[-1] and sum(x.minutes for x in packed[-1]) + lesson.minutes > SESSION_MINUTES:
            packed.append([])
        packed[-1].append(lesson)
    return packed


def render() -> str:
    all_lessons = lessons()
    rows = ["| занятие | урок | подача, мин | задания, мин | всего, мин |", "|---|---|---|---|---|"]
    for number, session in enumerate(sessions(all_lessons), start=1):
        for lesson in session:
            rows.append(
                f"| {number} | {lesson.title} (`{lesson.name}`) | {lesson.teaching} "
                f"| {lesson.exercises} | {lesson.minutes} |"
            )
        if len(session) > 1:
            total = sum(x.minutes for x in session)
            rows.append(f"| **{number}** | **итого за занятие** | | | **{total}** |")
    teaching = sum(x.teaching for x in all_lessons)
    exercises = sum(x.exercises for x in all_lessons)
    total = teaching + exercises
    count = len(sessions(all_lessons))
    summary = (
        f"Всего: подача — {teaching} мин, задания — {exercises} мин, вместе — {total} мин "
        f"(≈ {total / 60:.1f} ч): {count} занятий по {SESSION_MINUTES} минут и меньше, без "
        "учёта перерывов."
    )
    return "\n".join([*rows, "", summary])


def replaced(text: str, table: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"нет меток {START} … {END}")
    return pattern.sub(f"{START}\n{table}\n{END}", text)


def main(arguments: list[str]) -> int:
    table = render()
    if "--write" in arguments or "--check" in arguments:
        stale = []
        for target in TARGETS:
            text = target.read_text(encoding="utf-8")
            new = replaced(text, table)
            if new != text:
                stale.append(target.name)
                if "--write" in arguments:
                    target.write_text(new, encoding="utf-8")
        if "--check" in arguments and stale:
            print("Расписание устарело в " + ", ".join(stale) + ": выполните `make schedule`.")
            return 1
        return 0
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
