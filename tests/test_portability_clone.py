"""The course in a folder whose path holds a space and Cyrillic letters (issue 15).

«C:\\Users\\Ivan Petrov\\…», «~/Мои курсы/…»: the working tree is copied to
<tmp>/Мои курсы/alembic course, and lesson 02 runs there on SQLite, PostgreSQL and DuckDB,
one pass after another in one kernel. The kernel is this interpreter with the copy first on
sys.path (lessonkit finds the repository from its own file), so no second environment is
built. Its home and temporary folders lie in <tmp> too: afterwards everything in <tmp> is
either the copy or a folder the README names — the embedded PostgreSQL's data (data_root()) —
or the test's own kernelspec and IPython profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from lessonkit.core.paths import REPO_ROOT
from lessonkit.databases import pg_server
from tests.lesson_kernels import outputs, renamed, run_notebook

FOLDER = Path("Мои курсы") / "alembic course"
LESSON = "02_revisions"
NAME = "96_clone"
DATABASES = ("sqlite", "postgres", "duckdb")
REPORT = "\n".join(
    [
        "import lessonkit",
        "from lessonkit.databases import pg_server",
        'print("lessonkit:", lessonkit.__file__)',
        'print("pgdata:", pg_server.pgdata_dir())',
        'print("data_root:", pg_server.data_root())',
    ]
)


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


def three_passes() -> nbformat.NotebookNode:
    """Lesson 02 once per database, in one kernel (COURSE_DB set between the passes)."""
    lesson = renamed(nbformat.read(REPO_ROOT / "notebooks" / f"{LESSON}.ipynb", 4), LESSON, NAME)
    cells = [nbformat.v4.new_code_cell(REPORT)]
    for db in DATABASES:
        cells.append(nbformat.v4.new_code_cell(f'import os\nos.environ["COURSE_DB"] = "{db}"'))
        cells += [
            nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)  # ids of their own
            for cell in lesson.cells
            if cell.cell_type == "code"
        ]
    return nbformat.v4.new_notebook(cells=cells, metadata=lesson.metadata)


def files_below(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if not path.is_dir()}


@pytest.mark.notebooks  # a lesson in a kernel: `make test`, not test-fast
@pytest.mark.postgres
def test_a_clone_in_a_folder_with_a_space_runs_a_lesson_on_each_database(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded server is not in use")
    clone = tmp_path / FOLDER
    copy_working_tree(clone)
    home, temp, ipython, specs = (tmp_path / name for name in ("home", "tmp", "ipython", "k"))
    for folder in (home, temp):
        folder.mkdir()
    drop = ("COURSE_", "DATABASE_URL", "XDG_", "PYTHONPATH", "JUPYTER_", "IPYTHONDIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env |= {"PYTHONPATH": str(clone), "PYTHONUTF8": "1", "IPYTHONDIR": str(ipython)}
    env |= {"HOME": str(home), "USERPROFILE": str(home)}  # Linux and macOS; Windows
    env |= {"TMPDIR": str(temp), "TMP": str(temp), "TEMP": str(temp)}
    before = files_below(tmp_path)
    pgdata = None
    try:
        notebook = run_notebook(three_passes(), env=env, cwd=clone / "notebooks", specs=specs)
        report = dict(
            line.split(": ", 1) for line in outputs(notebook.cells[0]).splitlines() if ": " in line
        )
        pgdata, data_root = Path(report["pgdata"]), Path(report["data_root"])
        assert Path(report["lessonkit"]).is_relative_to(clone), "the copy's own lessonkit"
        assert not pgdata.is_relative_to(clone)
        starts = [outputs(c) for c in notebook.cells if f'start_lesson("{NAME}"' in c.source]
        for shown, title in zip(starts, ("SQLite", "PostgreSQL", "DuckDB"), strict=True):
            assert f"База: {title}" in shown, shown
    finally:
        if pgdata is not None:
            pg_server.stop_embedded(pgdata)
    assert (clone / "work" / NAME / "alembic.ini").is_file()
    assert not (REPO_ROOT / "work" / NAME).exists(), "nothing of the copy's lesson here"
    allowed = (clone, data_root, ipython, specs)
    written = sorted(
        str(path.relative_to(tmp_path))
        for path in files_below(tmp_path) - before
        if not any(path.is_relative_to(folder) for folder in allowed)
        and not path.parent.name.startswith("akp-")  # a short socket folder (pg_server)
    )
    assert written == [], "written outside the clone and the PostgreSQL data folder"
