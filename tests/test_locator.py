"""The kernel finds its course from where it starts (jupyter/alembic_course_locator.py): a real
kernel of this environment, started in another copy of the course, loads THAT copy's lessonkit,
although the environment's .pth names this one — as on a class server, where one image serves
every learner's clone. A kernel outside any copy gets a Russian note, not a traceback."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from lessonkit.core.paths import REPO_ROOT, WORK_DIR
from tests.course_copy import copy_course
from tests.test_kernels import run

pytestmark = pytest.mark.notebooks
LOCATOR = REPO_ROOT / "jupyter" / "alembic_course_locator.py"


@contextmanager
def kernel(cwd: Path, **options):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(cwd), **options)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture
def other_copy(tmp_path):
    return copy_course(tmp_path)


def test_the_environment_has_the_locator_as_its_kernel_extension():
    installed = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert "alembic_course_locator" in installed.read_text(encoding="utf-8")
    import alembic_course_locator

    assert Path(alembic_course_locator.__file__).read_bytes() == LOCATOR.read_bytes()


def test_a_kernel_in_another_copy_loads_that_copys_lessonkit(other_copy):
    with kernel(other_copy / "notebooks") as client:
        where = run(client, "import lessonkit, os; print(lessonkit.__file__); print(os.getcwd())")
        assert where["error"] is None, where
        module, cwd = where["text"].strip().splitlines()
        assert Path(module) == other_copy / "lessonkit" / "__init__.py"
        assert Path(cwd) == other_copy / "work" / ".idle", "parked in that copy's work/"
        started = run(
            client,
            'from lessonkit import start_lesson\nlesson = start_lesson("90_locator")\n'
            "print(lesson.sandbox)",
        )
        assert started["error"] is None, started
        assert str(other_copy / "work" / "90_locator") in started["text"]
        # `!alembic`, `!python` (the environment's, on PATH after the first cell) import it too
        child = run(client, '!python -c "import lessonkit; print(lessonkit.__file__)"')
        assert Path(child["text"].strip()) == other_copy / "lessonkit" / "__init__.py"
    assert not (WORK_DIR / "90_locator").exists(), "nothing written into this clone"


def test_a_kernel_outside_any_copy_gets_a_note(tmp_path):
    # A shared environment (a hub image) has no .pth naming a clone: sitecustomize takes this
    # clone off sys.path, as if the environment had been installed with --shared.
    hide = tmp_path / "no-pth"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        f"import sys\nsys.path[:] = [p for p in sys.path if p != {str(REPO_ROOT)!r}]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(hide)}
    with kernel(tmp_path, env=env) as client:
        found = run(client, "import importlib.util as u; print(u.find_spec('lessonkit'))")
        assert found["text"].strip() == "None", "the test itself: no lessonkit on the path"
        answer = run(client, "%alembic current")
        assert answer["error"] is None, "a note, not an error"
        assert "Курс «Alembic на практике» не найден" in answer["text"]
        assert "notebooks/" in answer["text"]
