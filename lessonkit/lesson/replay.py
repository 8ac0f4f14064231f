"""start_lesson(..., upto="<heading>"): the sandbox and the database as they are just before a
section, built by running the lesson's own code cells up to it, quietly.

The instructor who lost the thread and the learner who fell behind jump to a section instead of
running thirty cells by hand. The cells are the lesson's own (its learner notebook), run in this
kernel: first the lesson's first cell (its imports, its variables) with its start_lesson(...)
call replaced by the lesson just made, then every code cell before the section. Cells that fail
on purpose (tagged raises-exception) fail here too, as they do in order. Nothing they show
reaches the screen — displays, prints, warnings, error blocks — only one line telling what was
done.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import json
import re
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from IPython.display import display
from IPython.utils.capture import capture_output

from lessonkit.core.errors import CourseError
from lessonkit.core.markup import MessageBox
from lessonkit.core.paths import REPO_ROOT
from lessonkit.core.shell import get_shell
from lessonkit.core.tracebacks import error_name, message_of
from lessonkit.lesson import progress

NOTEBOOKS = REPO_ROOT / "notebooks"
HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*$", re.M)
MADE_LESSON = "_lessonkit_upto_lesson"  # the name the first cell's start_lesson(...) becomes
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
    """Every ##–#### heading of the lesson, in order: all of them are on the learner's screen.
    One before the lesson's first code cell («Практика» above it) means the lesson as its
    first cell leaves it."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
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


def own_arguments(name: str) -> dict:
    """The arguments the lesson's own first cell passes to start_lesson (db, start, fixed_db),
    or {} for a name without a notebook in notebooks/."""
    path = NOTEBOOKS / f"{name}.ipynb"
    if not path.is_file():
        return {}
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next((c for c in cells if c["cell_type"] == "code"), None)
    source = "".join(first["source"]) if first else ""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax in the first cell: no arguments to read
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) == "start_lesson":
            found = {}
            for keyword in node.keywords:
                with contextlib.suppress(ValueError):
                    found[keyword.arg] = ast.literal_eval(keyword.value)
            return found
    return {}


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


class _MadeLesson(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call):
        if _called(node) == "start_lesson":
            return ast.copy_location(ast.Name(MADE_LESSON, ast.Load()), node)
        return self.generic_visit(node)


def without_start_lesson(source: str, shell) -> str:
    """The first cell with every start_lesson(...) call replaced by the lesson already made:
    its imports and other statements run, the reset does not run twice."""
    tree = ast.parse(shell.transform_cell(source))  # %magics become Python calls first
    return ast.unparse(ast.fix_missing_locations(_MadeLesson().visit(tree)))


@contextlib.contextmanager
def quietly(shell) -> Iterator[None]:
    """Nothing a replayed cell shows reaches the screen: displays and prints are captured
    (capture_output), and so are error blocks, which a kernel sends past the captured
    streams (InteractiveShell._showtraceback); warnings are printed into the captured stderr
    and the kernel's filters are put back afterwards."""
    saved_traceback = getattr(shell, "_last_traceback", None)
    shell._showtraceback = lambda *args, **kwargs: None  # an instance attribute, removed below
    try:
        with warnings.catch_warnings(), capture_output():
            yield
            # A cell that failed on purpose can leave garbage that warns when it is collected
            # (lesson 18: the coroutine that asyncio.run never started): collect it now.
            gc.collect()
    finally:
        del shell._showtraceback
        if hasattr(shell, "_last_traceback"):
            shell._last_traceback = saved_traceback
        # Forget the errors the learner never saw (%tb would show the last one).
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                delattr(sys, name)


def replay(lesson, upto: str) -> None:
    """Run the lesson's first cell (without its start_lesson call: the lesson is made) and its
    code cells that come before the section ``upto``."""
    notebook = lesson_notebook(lesson.name)
    target = find_section(notebook, upto)
    shell = get_shell()
    code = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    first = without_start_lesson(code[0][1].source, shell)
    cells = [(code[0][0], first, [])] + [
        (i, c.source, c.metadata.get("tags", [])) for i, c in code[1:] if i < target.cell
    ]
    shell.user_ns[MADE_LESSON] = lesson
    started, failed_on_purpose = time.perf_counter(), 0
    passed = iter(s for s in sections(notebook) if s.cell < target.cell)
    pending = next(passed, None)
    try:
        with quietly(shell), progress.paused():  # checks nobody saw are not progress
            for number, (index, source, tags) in enumerate(cells, start=1):
                while pending is not None and pending.cell < index:
                    if SECTION_HOOK is not None:
                        SECTION_HOOK(lesson, pending.title)
                    pending = next(passed, None)
                result = shell.run_cell(source, store_history=False)
                if result.success:
                    continue
                if "raises-exception" in tags:
                    failed_on_purpose += 1
                    continue
                error = result.error_in_exec or result.error_before_exec
                raise CourseError(
                    f"ячейка {number} урока упала при переходе к разделу «{target.title}»: "
                    f"{error_name(error)}: {message_of(error)}",
                    hint="начните урок с первой ячейки без upto= и выполните ячейки по порядку.",
                )
            while pending is not None:
                if SECTION_HOOK is not None:
                    SECTION_HOOK(lesson, pending.title)
                pending = next(passed, None)
            result = None  # nothing of a failed cell stays referenced
    finally:
        shell.user_ns.pop(MADE_LESSON, None)
    seconds = time.perf_counter() - started
    on_purpose = ""
    if failed_on_purpose:  # cells tagged raises-exception: the lesson shows their error
        on_purpose = f" (из них завершились ошибкой, как задумано: {failed_on_purpose})"
    display(
        MessageBox(
            "info",
            f"⏩ Урок {lesson.name} — перед разделом «{target.title}»: выполнено ячеек урока "
            f"{len(cells)}{on_purpose} за {seconds:.1f} с.",
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
