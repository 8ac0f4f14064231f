"""What the instructor's tools read from a lesson source (lessons_src/NN_slug.md): the title,
the minutes of its front matter (`teaching:` / `exercises:`), its sections, its exercises, its
instructor notes and its collapsed solutions.

The schedule (tools/schedule.py) and the presenter view (tools/presenter.py) read lessons only
through here, so a new lesson lands in both by re-running them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "lessons_src"
EXERCISE = re.compile(r"^###\s+Задание\s+(\d+)\s*·\s*(\S+)", re.M)
# An instructor note's sentence that says what to drop when the class runs late.
IF_LATE = re.compile(r"^Если (?:не успеваете|отстаёте|опаздываете)")
LEAD_IN = re.compile(r"^(Если (?:не успеваете|отстаёте|опаздываете))\. (\S)")


def sentences(text: str) -> list[str]:
    """Split prose at . ! ? followed by a space and a capital, never inside `code` or «…»."""
    found, start, code, quotes = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "`":
            code = not code
        elif not code and char in "«»":
            quotes += 1 if char == "«" else -1
            ends = char == "»" and quotes <= 0 and text[index - 1 : index] in (".", "!", "?")
            rest = text[index + 1 : index + 3]
            if ends and rest[:1].isspace() and rest[1:2].isupper():
                found.append(text[start : index + 1])
                start = index + 1
        elif not code and quotes <= 0 and char in ".!?":
            rest = text[index + 1 : index + 3]
            if rest[:1].isspace() and (rest[1:2].isupper() or rest[1:2] in "*«"):
                found.append(text[start : index + 1])
                start = index + 1
    found.append(text[start:])
    return [" ".join(s.split()) for s in found if s.strip()]


@dataclass(frozen=True)
class Exercise:
    number: int
    kind: str  # применить | исправить | предсказать

    @property
    def label(self) -> str:
        return f"задание {self.number} ({self.kind})"


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    teaching: int
    exercises: int
    source: Path = field(compare=False, repr=False)

    @property
    def minutes(self) -> int:
        return self.teaching + self.exercises

    @property
    def number(self) -> str:
        """«07.2» for 07_2_batch_mode, «06» for 06_manual_table."""
        match = re.match(r"(\d\d)(?:_(\d)_)?", self.name)
        return match[1] + (f".{match[2]}" if match[2] else "")

    @cached_property
    def notebook(self):
        return jupytext.read(self.source, fmt="md:myst")

    @cached_property
    def exercise_list(self) -> list[Exercise]:
        text = "\n".join(c.source for c in self.notebook.cells if c.cell_type == "markdown")
        return [Exercise(int(n), kind) for n, kind in EXERCISE.findall(text)]

    def tagged(self, tag: str) -> list[str]:
        return [c.source for c in self.notebook.cells if tag in c.metadata.get("tags", [])]

    @property
    def notes(self) -> list[str]:
        return self.tagged("instructor")

    @property
    def if_late(self) -> list[str]:
        """What the lesson's notes advise to skip when the class runs late."""
        found = []
        for note in self.notes:
            for paragraph in note.split("\n\n"):
                said = [s.replace("**", "") for s in sentences(paragraph)]
                for number, sentence in enumerate(said):
                    if not IF_LATE.match(sentence):
                        continue
                    if len(sentence.split()) <= 3 and number + 1 < len(said):  # a lead-in
                        sentence = sentence.rstrip(".:") + ": " + said[number + 1]
                    found.append(LEAD_IN.sub(lambda m: f"{m[1]}: {m[2].lower()}", sentence))
        return found


def read(source: Path) -> Lesson:
    notebook = jupytext.read(source, fmt="md:myst")
    title = next(
        line[2:].strip()
        for cell in notebook.cells
        for line in cell.source.splitlines()
        if line.startswith("# ")
    )
    meta = notebook.metadata
    return Lesson(source.stem, title, int(meta["teaching"]), int(meta["exercises"]), source)


def lessons() -> list[Lesson]:
    return [read(source) for source in sorted(SOURCES.glob("[0-9][0-9]_*.md"))]
