"""The course in a folder whose path holds a space and Cyrillic letters (issue 15).

«C:\\Users\\Ivan Petrov\\…», «~/Мои курсы/…»: the working tree is copied to
<root>/Мои курсы/alembic course (<root> = work/96_clone_root), and lesson 02 runs there on
SQLite, PostgreSQL and DuckDB, one pass after another in one kernel, under Windows' file rules
(tests/windows_files.py). A slow test does the same with lesson 06 and its solutions: its
exercise checks (check.exercise) copy and delete databases and folders.

The kernel is this interpreter with the copy first on sys.path (lessonkit finds the repository
from its own file), so no second environment is built. Its home and temporary folders lie in
<root> too: afterwards everything in <root> is either the copy or a folder the README names —
the embedded PostgreSQL's data (data_root()) — or the test's own kernelspec and IPython profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from lessonkit.core.portable import remove_tree
from lessonkit.databases import pg_server
from tests.lesson_kernels import run_notebook
from tests.notebook_runner import exercises, text_of

FOLDER = Path("Мои курсы") / "alembic course"
DATABASES = ("sqlite", "postgres", "duckdb")
TITLES = ("SQLite", "PostgreSQL", "DuckDB")
REPORT = "\n".join(
    [
        "import lessonkit",
        "from lessonkit.databases import pg_server",
        "from tests.windows_files import available, windows_file_rules",
        'print("lessonkit:", lessonkit.__file__)',
        'print("pgdata:", pg_server.pgdata_dir())',
        "refusals = windows_file_rules().__enter__() if available() else None",
    ]
)
REFUSED = 'print("refused:", refusals.seen if refusals else [])'


def copy_working_tree(target: Path) -> None:
    """The working tree as git sees it — tracked and new files, nothing git ignores: what a
    clone of it would hold after a commit (uncommitted edits included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not there
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def three_passes(lesson_name: str, solved: bool) -> nbformat.NotebookNode:
    """The lesson once per database, in one kernel (COURSE_DB set between the passes)."""
    lesson = nbformat.read(REPO_ROOT / "notebooks" / f"{lesson_name}.ipynb", 4)
    for exercise in exercises(lesson) if solved else []:
        lesson.cells[exercise.cell_index].source = exercise.solution
    cells = [nbformat.v4.new_code_cell(REPORT)]
    for db in DATABASES:
        cells.append(nbformat.v4.new_code_cell(f'import os\nos.environ["COURSE_DB"] = "{db}"'))
        cells += [
            nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)  # ids of their own
            for cell in lesson.cells
            if cell.cell_type == "code"
        ]
    cells.append(nbformat.v4.new_code_cell(REFUSED))
    return nbformat.v4.new_notebook(cells=cells, metadata=lesson.metadata)


def files_below(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if not path.is_dir()}


def run_in_a_clone(lesson: str, solved: bool = False):
    """The lesson on the three databases in a fresh copy at «Мои курсы/alembic course»;
    returns the executed notebook once everything the kernel wrote has been checked."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded server is not in use")
    # Not pytest's tmp_path: as root the server runs as another user, who must traverse the
    # folders above its data, and every pytest run resets /tmp/pytest-of-root to 0700.
    root = WORK_DIR / "96_clone_root"
    remove_tree(root)
    clone = root / FOLDER
    copy_working_tree(clone)
    home, temp, ipython, specs = (root / name for name in ("home", "tmp", "ipython", "k"))
    for folder in (home, temp):
        folder.mkdir()
    drop = ("COURSE_", "DATABASE_URL", "XDG_", "PYTHONPATH", "JUPYTER_", "IPYTHONDIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env |= {"PYTHONPATH": str(clone), "PYTHONUTF8": "1", "IPYTHONDIR": str(ipython)}
    env |= {"HOME": str(home), "USERPROFILE": str(home)}  # Linux and macOS; Windows
    env |= {"TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
    before = files_below(root)
    pgdata = None
    try:
        notebook = run_notebook(
            three_passes(lesson, solved), env=env, cwd=clone / "notebooks", specs=specs
        )
        report = dict(
            line.split(": ", 1) for line in text_of(notebook.cells[0]).splitlines() if ": " in line
        )
        pgdata = Path(report["pgdata"])
        assert Path(report["lessonkit"]).is_relative_to(clone), "the copy's own lessonkit"
        assert not pgdata.is_relative_to(clone)
        starts = [text_of(c) for c in notebook.cells if f'start_lesson("{lesson}"' in c.source]
        for shown, title in zip(starts, TITLES, strict=True):
            assert f"База: {title}" in shown, shown
        assert text_of(notebook.cells[-1]).strip() == "refused: []", "Windows' file rules"
    finally:
        if pgdata is not None:
            pg_server.stop_embedded(pgdata)
    assert (clone / "work" / lesson / "alembic.ini").is_file()
    allowed = (clone, pgdata.parent, ipython, specs)  # pgdata.parent: data_root()
    written = sorted(
        str(path.relative_to(root))
        for path in files_below(root) - before
        if not any(path.is_relative_to(folder) for folder in allowed)
        and not path.parent.name.startswith("akp-")  # a short socket folder (pg_server)
    )
    assert written == [], "written outside the clone and the PostgreSQL data folder"
    remove_tree(root)
    return notebook


@pytest.mark.notebooks  # a lesson in a kernel: `make test`, not test-fast
@pytest.mark.postgres
def test_a_clone_in_a_folder_with_a_space_runs_a_lesson_on_each_database():
    run_in_a_clone("02_revisions")


@pytest.mark.slow  # about 30 s of CPU: make test-slow
@pytest.mark.notebooks
@pytest.mark.postgres
def test_exercise_checks_copy_and_delete_as_windows_allows_in_a_clone():
    notebook = run_in_a_clone("06_manual_table", solved=True)
    verdicts = [text_of(c) for c in notebook.cells if "check" in c.metadata.get("tags", [])]
    assert len(verdicts) >= 9 and all("✅" in v and "❌" not in v for v in verdicts), verdicts
