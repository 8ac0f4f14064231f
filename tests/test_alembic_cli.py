"""%alembic runs the real CLI in-process: same output, same exit code as `alembic` in a shell."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lessonkit.cli.command import run_alembic
from lessonkit.core.paths import WORK_DIR, shorten_paths
from lessonkit.lesson.project import init_project
from lessonkit.view.hints import hint_for

ALEMBIC = str(Path(sys.executable).with_name("alembic"))

# A sequence a learner types; each step runs in two identical sandboxes.
SESSION = [
    ["--version"],
    ["history"],
    ["current"],
    ["revision", "-m", "create users", "--rev-id", "001_users"],
    ["revision", "-m", "add bio", "--rev-id", "002_bio"],
    ["upgrade", "head", "--sql"],
    ["upgrade", "+1"],
    ["current"],
    ["upgrade", "head"],
    ["history", "--verbose"],
    ["history", "-r", "base:current"],
    ["heads"],
    ["show", "001_users"],
    ["downgrade", "-1"],
    ["downgrade", "base"],
    ["upgrade", "-1"],  # relative step below base: FAILED
    ["downgrade", "abc123def456"],  # unknown revision: FAILED
    ["upgrad", "head"],  # mistyped command: argparse usage error
    ["upgrade"],  # missing argument
    ["init", "alembic"],  # already initialised: FAILED
    ["check"],
    ["list_templates"],
]


@pytest.fixture
def twin_sandboxes():
    """Two identical Alembic projects on SQLite, for the magic and for the CLI."""
    folders = []
    for name in ("a", "b"):
        folder = WORK_DIR / "92_cli" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        init_project(folder, "sqlite:///%(here)s/lesson.db")
        folders.append(folder)
    yield folders
    shutil.rmtree(WORK_DIR / "92_cli", ignore_errors=True)


def run_cli(argv, cwd):
    done = subprocess.run(
        [ALEMBIC, *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # as in a kernel: no terminal, so Alembic does not wrap lines
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    return shorten_paths(done.stdout), done.returncode


def normalise(text: str) -> str:
    """The two sandboxes differ only by name; creation dates differ by the clock."""
    lines = [line for line in text.replace("/b/", "/a/").splitlines() if "Create Date" not in line]
    return "\n".join(lines)


@pytest.mark.heavy
def test_magic_prints_what_the_terminal_prints(twin_sandboxes):
    magic_dir, cli_dir = twin_sandboxes
    for argv in SESSION:
        result = run_alembic(argv, magic_dir)
        cli_output, cli_code = run_cli(argv, cli_dir)
        assert result.exit_code == cli_code, argv
        if argv == ["list_templates"]:  # the order is the file system's; compare the set
            assert sorted(result.output.splitlines()) == sorted(cli_output.splitlines())
            continue
        assert normalise(result.output) == normalise(cli_output), argv


def test_failures_keep_alembic_wording(twin_sandboxes):
    folder, _ = twin_sandboxes
    result = run_alembic(["downgrade", "abc123def456"], folder)
    assert result.exit_code == 255
    assert "FAILED: Can't locate revision identified by 'abc123def456'" in result.output
    result = run_alembic(["upgrad", "head"], folder)
    assert result.exit_code == 2 and "invalid choice: 'upgrad'" in result.output


def test_logging_and_sys_path_are_restored(twin_sandboxes):
    folder, _ = twin_sandboxes
    root = logging.getLogger()
    handlers, level, path = list(root.handlers), root.level, list(sys.path)
    run_alembic(["upgrade", "head"], folder)
    assert root.handlers == handlers and root.level == level
    assert sys.path == path
    assert not logging.getLogger("lessonkit").disabled


def test_edited_models_are_seen_by_the_next_autogenerate(twin_sandboxes):
    folder, _ = twin_sandboxes
    models = folder / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8")
        + "\n\nfrom sqlalchemy import Column, Integer\n\n\nclass User(Base):\n"
        + '    __tablename__ = "users"\n    id = Column(Integer, primary_key=True)\n',
        encoding="utf-8",
    )
    first = run_alembic(["revision", "--autogenerate", "-m", "users", "--rev-id", "a1"], folder)
    assert "Detected added table 'users'" in first.output
    assert run_alembic(["upgrade", "head"], folder).ok
    models.write_text(
        models.read_text(encoding="utf-8") + "    age = Column(Integer)\n", encoding="utf-8"
    )
    second = run_alembic(["revision", "--autogenerate", "-m", "age", "--rev-id", "a2"], folder)
    assert "Detected added column 'users.age'" in second.output
    assert not list(folder.rglob("__pycache__")), "in-process runs write no bytecode"


def test_unexpected_exception_is_reported_not_raised(twin_sandboxes):
    folder, _ = twin_sandboxes
    assert run_alembic(["revision", "-m", "bad", "--rev-id", "b1"], folder).ok
    script = next((folder / "alembic" / "versions").glob("b1_*.py"))
    script.write_text(
        script.read_text(encoding="utf-8").replace(
            '"""Upgrade schema."""', '"""Upgrade schema."""\n    1 / 0'
        ),
        encoding="utf-8",
    )
    result = run_alembic(["upgrade", "head"], folder)
    assert result.exit_code == 1
    assert "ZeroDivisionError" in result.output
    assert "Traceback" in result.traceback


def test_output_paths_are_relative_to_the_repository(twin_sandboxes):
    folder, _ = twin_sandboxes
    result = run_alembic(["revision", "-m", "x", "--rev-id", "c1"], folder)
    assert "Generating work/92_cli/a/alembic/versions/c1_x.py" in result.output
    assert str(WORK_DIR) not in result.output


def test_models_of_another_sandbox_do_not_leak_in(twin_sandboxes):
    first, second = twin_sandboxes
    (first / "models.py").write_text(
        (first / "models.py").read_text(encoding="utf-8")
        + "\n\nfrom sqlalchemy import Column, Integer\n\n\nclass Only(Base):\n"
        + '    __tablename__ = "only_in_a"\n    id = Column(Integer, primary_key=True)\n',
        encoding="utf-8",
    )
    assert "only_in_a" in run_alembic(["revision", "--autogenerate", "-m", "a"], first).output
    result = run_alembic(["revision", "--autogenerate", "-m", "b"], second)
    assert result.ok and "only_in_a" not in result.output


def test_a_warning_is_shown_on_every_run_as_in_a_new_process(twin_sandboxes):
    folder, _ = twin_sandboxes
    assert run_alembic(["revision", "-m", "x", "--rev-id", "d1"], folder).ok
    script = next((folder / "alembic" / "versions").glob("d1_*.py"))
    script.write_text(
        script.read_text(encoding="utf-8").replace("= None", "= 'nope'", 1), encoding="utf-8"
    )  # down_revision
    for _ in range(2):
        result = run_alembic(["history"], folder)
        assert result.exit_code == 1
        assert "Revision nope referenced from nope -> d1 (head), x is not present" in result.output
        assert "ссылается в `down_revision` (или `depends_on`) на «nope»" in hint_for(result)


@pytest.mark.parametrize("pythonwarnings", [None, "default"])
def test_deprecation_warnings_as_a_terminal_shows_them(twin_sandboxes, monkeypatch, pythonwarnings):
    """A library's DeprecationWarning: hidden, as in a new process, unless PYTHONWARNINGS asks."""
    if pythonwarnings is None:
        monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    else:
        monkeypatch.setenv("PYTHONWARNINGS", pythonwarnings)
    for folder in twin_sandboxes:  # the note's legacy key (Alembic 1.16+ warns about it)
        ini = folder / "alembic.ini"
        ini.write_text(
            ini.read_text(encoding="utf-8").replace(
                "path_separator = os", "version_path_separator = :"
            ),
            encoding="utf-8",
        )
    magic_dir, cli_dir = twin_sandboxes
    result = run_alembic(["history"], magic_dir)
    cli_output, _ = run_cli(["history"], cli_dir)
    assert ("DeprecationWarning" in result.output) is (pythonwarnings == "default")
    assert normalise(result.output) == normalise(cli_output)


def test_russian_text_prints_as_russian(make_lesson):
    """Alembic encodes its output with the stream's encoding: a message in Russian must not
    come out as question marks."""
    lesson = make_lesson()
    result = run_alembic(
        ["revision", "-m", "Добавить пользователей", "--rev-id", "001"], lesson.sandbox
    )
    assert "001_добавить_пользователей.py" in result.output, result.output
    assert "Добавить пользователей" in run_alembic(["history"], lesson.sandbox).output
