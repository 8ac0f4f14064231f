"""start_lesson(): the first code cell of every lesson.

It wipes and recreates work/<lesson>/, empties the lesson database, builds the starting state
and connects %sql. Running it again resets everything, so "Restart & Run All" and lessons in
any order always start from the same place. Nothing outside work/ is written.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from IPython.display import display

from lessonkit.cli import plugins as alembic_state
from lessonkit.cli import reproducible
from lessonkit.core.errors import CourseError, UnsafeReset
from lessonkit.core.markup import KeyValueView
from lessonkit.core.paths import REPO_ROOT, WORK_DIR, is_inside_work, sandbox_dir, shorten_paths
from lessonkit.core.portable import UTF8, remove_tree
from lessonkit.databases.backends import BACKENDS, choose_backend_name, make_backend
from lessonkit.lesson import checkpoints, ownership, progress, replay
from lessonkit.lesson import state as session
from lessonkit.lesson.project import init_project
from lessonkit.lesson.sql_connection import connect_sql
from lessonkit.lesson.state import Lesson

STARTS = {
    "empty": "пустая папка",
    "project": "проект после `alembic init` + models.py",
}
LESSON_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")
IDLE_DIR = WORK_DIR / ".idle"  # where a kernel waits for its lesson's first cell


def start_lesson(
    name: str,
    db: str | None = None,
    start: str | None = None,
    fixed_db: bool = False,
    take_over: bool = False,
    upto: str | None = None,
) -> Lesson:
    """Reset the sandbox and database of lesson ``name`` and make it the active lesson.

    db: "sqlite", "postgres" or "duckdb"; by default the lesson's own (the one its first cell
    names: SQLite for most, PostgreSQL for lessons about it), else SQLite. The COURSE_DB
    variable overrides it, unless fixed_db=True (a lesson about one database's behaviour, e.g.
    PostgreSQL enums) — or the lesson's own first cell says fixed_db=True.
    start: "project" (alembic init already done, models.py ready) or "empty"; by default the
    lesson's own.
    take_over: take the sandbox from another live kernel that works in it (see ownership).
    upto: a section heading of the lesson: the sandbox and the database are then brought to
    the state just before it, by running the lesson's own cells (see replay).

    Every refusal (a bad argument, a sandbox in use, a database the course did not create)
    comes before anything is deleted.
    """
    if not LESSON_NAME.match(name):
        raise CourseError(
            f"странное имя урока «{name}».",
            hint='имя как у ноутбука, без .ipynb: start_lesson("02_revisions")',
        )
    db, start, fixed_db = _lesson_choices(name, db, start, fixed_db, upto)
    if start not in STARTS:
        raise CourseError(
            f"неизвестное начальное состояние «{start}».", hint='start="project" или start="empty".'
        )
    if upto is not None:
        replay.find_section(replay.lesson_notebook(name), upto)  # an unknown one: nothing reset
    _stand_in_a_folder_that_exists()
    _prepare_environment()
    fence_git()
    sandbox = sandbox_dir(name)
    backend = make_backend(db, name, sandbox, fixed_db)
    taken_from = ownership.claim(name, take_over)
    try:
        backend.ensure_resettable()
    except CourseError:
        if session.current_lesson() is None or session.current_lesson().name != name:
            ownership.release(name)
        raise
    previous = session.current_lesson()
    if previous is not None:
        previous.close(keep_sandbox=previous.name == name)
    session.set_active(None)  # a failed reset must not leave the old lesson half-alive
    alembic_state.reset()  # what an earlier env.py registered (plugins) goes, as in a new process
    reproducible.restart(name)

    _recreate_folder(sandbox)
    backend.reset()
    checkpoints.forget(name, backend)
    if start == "project":
        init_project(sandbox, backend.ini_url)
    sql_line = connect_sql(backend)
    os.chdir(sandbox)  # relative paths in cells (%%writefile models.py, !ls) land in the sandbox

    lesson = Lesson(name, sandbox, backend)
    session.set_active(lesson)
    progress.record_start(name)
    _show_welcome(lesson, start, sql_line, _notices(lesson, taken_from))
    if upto is not None:
        replay.replay(lesson, upto)
    return lesson


def _lesson_choices(
    name: str, db: str | None, start: str | None, fixed_db: bool, upto: str | None
) -> tuple[str, str, bool]:
    """(db, start, fixed_db): what the call names, else what the lesson's own first cell
    passes. A jump (upto=) replays the lesson's cells, which need the lesson's own start and,
    in a lesson fixed to one database, that database: another one is refused here, before
    anything is reset, with the arguments to pass."""
    own = replay.own_arguments(name)
    own_db, own_start = own.get("db", "sqlite"), own.get("start", "project")
    fixed = bool(own.get("fixed_db")) or fixed_db
    wanted = choose_backend_name(own_db, fixed=True)
    if upto and own.get("fixed_db") and db and choose_backend_name(db, fixed=True) != wanted:
        raise CourseError(
            f"урок {name} идёт только на {BACKENDS[wanted].title}: его ячейки, которые "
            "выполняет upto=, на другой базе не пройдут.",
            hint=f'уберите db= или передайте db="{own_db}": '
            f'`start_lesson("{name}", db="{own_db}", upto="{upto}")`.',
        )
    if upto is not None and start is not None and start != own_start:
        raise CourseError(
            f'урок {name} начинается с start="{own_start}": его ячейки, которые выполняет '
            "upto=, рассчитаны на это начало.",
            hint=f'уберите start= или передайте start="{own_start}".',
        )
    return db or own_db, start or own_start, fixed


def _stand_in_a_folder_that_exists() -> None:
    """The folder the kernel stands in (a sandbox, work/.idle) may have been deleted with
    work/ while the kernel ran; everything relative to it would fail. Stand in work/.idle."""
    try:
        os.getcwd()
    except FileNotFoundError:
        IDLE_DIR.mkdir(parents=True, exist_ok=True)
        os.chdir(IDLE_DIR)


def _notices(lesson: Lesson, taken_from: ownership.Owner | None) -> list[str]:
    """What the learner must know about this reset beyond the usual: another kernel's work
    that it wiped, a database server that had to be started anew."""
    found = list(lesson.backend.notices())
    if taken_from is not None:
        found.append(
            f"песочница забрана у другого ядра (процесс {taken_from.pid}, работал с "
            f"{taken_from.since}): его файлы урока и база урока стёрты и созданы заново. "
            "То ядро при следующей команде получит сообщение, что песочницу забрали."
        )
    return found


def _recreate_folder(sandbox: Path) -> None:
    if not is_inside_work(sandbox):  # the one guard between a reset and the learner's files
        raise UnsafeReset(f"папка {sandbox} — вне work/, её курс не трогает.")
    if Path.cwd().resolve().is_relative_to(sandbox.resolve()):
        os.chdir(WORK_DIR)  # cannot delete the folder we stand in on every OS
    if sandbox.exists():
        remove_tree(sandbox)
    sandbox.mkdir(parents=True)


def park_new_kernel(shell) -> None:
    """A kernel starts in notebooks/, inside the repository. Before the first cell, a
    `!alembic init` or `!git checkout` run there would change the course itself. Move a new
    kernel to work/.idle/ (git-ignored) and keep git from finding the course's repository
    from anywhere inside work/ (GIT_CEILING_DIRECTORIES). Kernels started elsewhere, and the
    test suite's shell, are left where they are."""
    if getattr(shell, "kernel", None) is None:
        return
    cwd = Path.cwd().resolve()
    if cwd.is_relative_to(REPO_ROOT) and not cwd.is_relative_to(WORK_DIR.resolve()):
        IDLE_DIR.mkdir(parents=True, exist_ok=True)
        os.chdir(IDLE_DIR)
    fence_git()


def fence_git() -> None:
    """git run in a sandbox sees only the sandbox's own repository (lesson 13), never the
    course's one above work/."""
    ceilings = os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep)
    if str(WORK_DIR) not in ceilings:
        os.environ["GIT_CEILING_DIRECTORIES"] = os.pathsep.join(
            [*filter(None, ceilings), str(WORK_DIR)]
        )


def _prepare_environment() -> None:
    """`!alembic` in a cell must find this environment's alembic, even when JupyterLab was
    started as .venv/bin/jupyter without activating the venv; and every Python it starts reads
    and writes UTF-8, whatever the system code page (CP1251 on a Russian Windows)."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.update(UTF8)


def _show_welcome(lesson: Lesson, start: str, sql_line: str, notices: list[str]) -> None:
    rows = [
        ("Песочница", shorten_paths(str(lesson.sandbox)) + "/ (текущая папка ноутбука)"),
        ("Начало", STARTS[start]),
        ("База", f"{lesson.backend.title} — {lesson.backend.location}"),
        ("Команды", "%alembic <как в терминале>; " + sql_line),
    ]
    rows += [("⚠️ Внимание", notice) for notice in notices]
    display(KeyValueView(f"✅ Урок {lesson.name} готов", rows))
