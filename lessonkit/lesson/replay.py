"""start_lesson(..., upto="<heading>"): the sandbox and the database as they are just before a
section, built by running the lesson's own code cells up to it, quietly.

The instructor who lost the thread and the learner who fell behind jump to a section instead of
running thirty cells by hand. The cells are the lesson's own (its learner notebook), run in this
kernel with their output captured; cells that fail on purpose (tagged raises-exception) fail
here too, as they do in order. One line tells what was done.
"""

from __future__ import annotations

import gc
import hashlib
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from IPython.display import display
from IPython.utils.capture import capture_output

from lessonkit.core.errors import CourseError
from lessonkit.core.markup import MessageBox
from lessonkit.core.paths import REPO_ROOT
from lessonkit.core.shell import get_shell
from lessonkit.lesson import progress

NOTEBOOKS = REPO_ROOT / "notebooks"
HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*$", re.M)
LESSON_VARIABLE = re.compile(r"^(\w+)\s*=\s*start_lesson\(", re.M)
CREATE_DATE = re.compile(rb"Create Date: [^\n]*")
DATABASE_FILES = ("lesson.db", "lesson.duckdb", ".check-")
# The test suite's hook: called with (lesson, section title) as the replay passes each section,
# so one replay is compared with the in-order run at every section.
SECTION_HOOK = None


@dataclass(frozen=True)
class Section:
    title: str
    cell: int  # index of the markdown cell that opens it


def sections(notebook) -> list[Section]:
    """The ##–#### headings after the lesson's first code cell, in order."""
    first_code = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and index > first_code:
            found += [Section(title, index) for _, title in HEADING.findall(cell.source)]
    return found


def _normal(title: str) -> str:
    return " ".join(title.replace("`", "").split()).casefold()


def find_section(notebook, upto: str) -> Section:
    wanted = _normal(upto)
    for section in sections(notebook):
        if _normal(section.title) == wanted:
            return section
    listed = "\n".join(f"  • {s.title}" for s in sections(notebook))
    raise CourseError(
        f"в уроке нет раздела «{upto}». Разделы урока:\n{listed}",
        hint='скопируйте название раздела из списка: `upto="..."`.',
    )


def first_cell_with_upto(source: str, title: str) -> str:
    """A lesson's first cell with upto=title added to its start_lesson(...) call: what an
    instructor types to jump to a section (the test of upto= and the benchmark run it)."""
    call = re.search(r"start_lesson\(([^()]*)\)", source)
    if not call:
        raise ValueError("the first code cell calls start_lesson(...)")
    replaced = f"start_lesson({call.group(1)}, upto={title!r})"
    return source[: call.start()] + replaced + source[call.end() :]


def lesson_notebook(name: str):
    path = NOTEBOOKS / f"{name}.ipynb"
    if not path.is_file():
        raise CourseError(
            f"ноутбука урока {name} нет в notebooks/: upto= работает только для уроков курса."
        )
    import nbformat  # here, not at the top: it pulls in jsonschema, a second of every kernel start

    return nbformat.read(path, as_version=4)


def replay(lesson, upto: str) -> None:
    """Run the lesson's code cells that come before the section ``upto`` (not its first cell:
    that is the start_lesson cell running now)."""
    notebook = lesson_notebook(lesson.name)
    target = find_section(notebook, upto)
    shell = get_shell()
    indexed = [(i, c) for i, c in enumerate(notebook.cells[: target.cell]) if c.cell_type == "code"]
    first, rest = indexed[0][1], indexed[1:]
    variable = LESSON_VARIABLE.search(first.source)
    shell.user_ns[variable.group(1) if variable else "lesson"] = lesson
    started, failed_on_purpose = time.perf_counter(), 0
    passed = iter(s for s in sections(notebook) if s.cell < target.cell)
    pending = next(passed, None)
    for number, (index, cell) in enumerate(rest, start=2):
        while pending is not None and pending.cell < index:
            if SECTION_HOOK is not None:
                SECTION_HOOK(lesson, pending.title)
            pending = next(passed, None)
        with capture_output(), progress.paused():  # checks nobody saw are not progress
            result = shell.run_cell(cell.source, store_history=False)
        if result.success:
            continue
        if "raises-exception" in cell.metadata.get("tags", []):
            failed_on_purpose += 1
            continue
        error = result.error_in_exec or result.error_before_exec
        raise CourseError(
            f"ячейка {number} урока упала при переходе к разделу «{target.title}»: "
            f"{type(error).__name__}: {error}",
            hint="начните урок с первой ячейки без upto= и выполните ячейки по порядку.",
        )
    while pending is not None:
        if SECTION_HOOK is not None:
            SECTION_HOOK(lesson, pending.title)
        pending = next(passed, None)
    seconds = time.perf_counter() - started
    # A cell that failed on purpose can leave garbage that warns when it is collected (lesson
    # 18: the coroutine that asyncio.run never started). Collect it now, while output is still
    # captured, not in some later cell; and forget that error, which the learner never saw.
    result = None
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    with capture_output():
        gc.collect()
    on_purpose = f" (из них нарочно падают: {failed_on_purpose})" if failed_on_purpose else ""
    display(
        MessageBox(
            "info",
            f"⏩ Урок {lesson.name} — перед разделом «{target.title}»: выполнено ячеек урока "
            f"{len(rest) + 1}{on_purpose} за {seconds:.1f} с.",
            [],
        )
    )


def state_digest(lesson) -> str:
    """What upto= must reproduce: the sandbox's files (not the database file, not .git) and
    the database's schema, as one string (tests compare it)."""
    parts = []
    for path in sorted(lesson.sandbox.rglob("*")):
        relative = path.relative_to(lesson.sandbox)
        if path.is_dir() or _skipped(relative, lesson):
            continue
        # A revision's «Create Date:» is the moment `alembic revision` ran: not part of the state.
        content = CREATE_DATE.sub(b"Create Date: -", path.read_bytes())
        parts.append(f"{relative} {hashlib.sha256(content).hexdigest()[:12]}")
    schema = lesson.snapshot()
    parts += sorted(repr(item) for item in schema.items.values())
    parts.append(f"version {schema.version}")
    return "\n".join(parts)


def _skipped(relative: Path, lesson) -> bool:
    """Not part of the files: .git, caches, and the database files of either file backend
    (the schema stands for the lesson's database; a file left behind by switch_db is stale)."""
    return (
        relative.parts[0] == ".git"
        or "__pycache__" in relative.parts
        or relative.name.startswith(DATABASE_FILES)
    )
