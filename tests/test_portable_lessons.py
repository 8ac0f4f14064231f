"""Lessons run where learners are: no POSIX shell in `!` cells, no file read or written in the
system code page.

On Windows IPython runs a `!` line in cmd.exe, and a learner copies it into PowerShell: `rm`,
`ls`, `| grep`, `printf > file`, `VAR=value cmd`, `set -a && . ./.env` or `; echo $?` exist in
neither. A `!` line may start only a real program of the course (alembic, git, python) with
arguments both shells read the same way. And a kernel started without UTF-8 mode (VS Code
starts the interpreter itself, without the kernelspec's PYTHONUTF8) reads and writes files in
the system code page, CP1251 on a Russian Windows: every read_text/write_text/open of a lesson
names its encoding.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import jupytext
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from lessonkit.core.paths import REPO_ROOT

SOURCES = sorted((REPO_ROOT / "lessons_src").glob("[0-9][0-9]_*.md"))
WRONG_ANSWERS = sorted((REPO_ROOT / "tests" / "wrong_answers").glob("*.md"))
ALL = SOURCES + WRONG_ANSWERS
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)

PROGRAMS = {"alembic", "git", "python"}  # on PATH in the course's kernel on every OS
POSIX_CELL_MAGICS = re.compile(r"^%%(bash|sh|script|system)\b|^%?%sx\b|^%system\b", re.M)
SHELL_LINE = re.compile(r"^\s*(?:\w+\s*=\s*)?!(?!=)(.*)$")


def shell_problems(command: str) -> list[str]:
    """What in one `!` command line cmd.exe or PowerShell would not run as a POSIX shell does."""
    problems = []
    words = command.split()
    if not words:
        return ["пустая команда"]
    if words[0] not in PROGRAMS:
        problems.append(f"программа «{words[0]}»: только {', '.join(sorted(PROGRAMS))}")
    outside_quotes = re.sub(r'"[^"]*"', '""', command).replace("2>&1", "")
    for token, why in [
        ("|", "конвейер (| grep, | tail)"),
        ("&", "&& и & — в Windows PowerShell 5 их нет"),
        (";", "; — в cmd.exe это не разделитель команд"),
        ("<", "< — в PowerShell нет перенаправления ввода"),
        ("`", "обратные кавычки"),
        ("$(", "подстановка $(...)"),
        ("$?", "$? — код выхода (в IPython — переменная _exit_code)"),
        ("'", "одинарные кавычки: cmd.exe их не понимает"),
    ]:
        if token in outside_quotes:
            problems.append(why)
    return problems


@functools.cache  # each file is read once for both tests
def code_of(path: Path) -> list[str]:
    """Every piece of code a learner runs: code cells and collapsed solutions (lessons), the
    ```python blocks of the wrong answers (run in the exercise cells by the tests)."""
    if path.parent.name == "wrong_answers":
        return PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))
    notebook = jupytext.read(path)
    pieces = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            pieces.append(cell.source)
        else:
            pieces += PYTHON_BLOCK.findall(cell.source)
    return pieces


def non_portable_shell(code: str) -> list[str]:
    found = [f"{m.group(0)!r}: команда оболочки Linux" for m in POSIX_CELL_MAGICS.finditer(code)]
    for line in code.splitlines():
        match = SHELL_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            found += [f"{line.strip()!r}: {problem}" for problem in shell_problems(match[1])]
    return found


def files_without_encoding(code: str) -> list[str]:
    """read_text/write_text/open calls of a cell without an encoding (binary opens aside);
    %%writefile cells hold a file's text, not the kernel's code, and are skipped."""
    if code.lstrip().startswith("%%"):
        return []
    try:
        tree = ast.parse(TransformerManager().transform_cell(code))
    except SyntaxError:  # a solution's prose block (a diff, a printed answer), not code
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", None))
        given = {keyword.arg for keyword in node.keywords}
        positional = {"read_text": 1, "write_text": 2, "open": 4}.get(name)
        if positional is None or "encoding" in given or len(node.args) >= positional:
            continue
        mode = node.args[1] if name == "open" and len(node.args) > 1 else None
        if isinstance(mode, ast.Constant) and "b" in str(mode.value):
            continue
        found.append(ast.unparse(node)[:100])
    return found


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shell_lines_run_in_cmd_and_powershell(path):
    problems = [problem for code in code_of(path) for problem in non_portable_shell(code)]
    assert problems == [], (
        "замените на Python (pathlib, os.environ), show_tree(), %%writefile, %alembic или "
        "%cd -q; вывод команды — `вывод = !команда`:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_files_are_read_and_written_as_utf8(path):
    problems = [call for code in code_of(path) for call in files_without_encoding(code)]
    assert problems == [], 'добавьте encoding="utf-8":\n' + "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        "!rm alembic/versions/001_x.py",
        "!ls alembic/versions",
        '!python -m pytest | grep -E "PASSED|FAILED"',
        "!alembic current 2>&1 | tail -n 1",
        "!printf 'lesson.db\\n' > .gitignore",
        "!DATABASE_URL=sqlite:///x.db alembic current",
        "!set -a && . ./.env && alembic current",
        '!git merge feature/x; echo "код выхода: $?"',
        "!cd alembic && alembic current",
        '!git add . && git commit -q -m "Add users table"',
        "    output = !mkdir -p tests",
        "%%bash\nls",
    ],
)
def test_the_check_rejects_posix_shell(line):
    assert non_portable_shell(line)


@pytest.mark.parametrize(
    "line",
    [
        '!git commit -q -m "Add users table"',
        '!git log --graph --all --format="%s%d"',
        "!alembic upgrade 001_users:head --sql > seed.sql",
        "output = !python -m pytest {options}",
        '!git config user.name "Разработчик"',
        "x = a != b",
    ],
)
def test_the_check_accepts_what_both_shells_run(line):
    assert non_portable_shell(line) == []


def test_the_encoding_check_sees_a_missing_encoding():
    assert files_without_encoding('Path("x").write_text("текст")\n%alembic current')
    assert files_without_encoding("open('x.py').read()")
    assert not files_without_encoding('Path("x").write_text("т", encoding="utf-8")')
    assert not files_without_encoding("open('x.db', 'rb').read()")
    assert not files_without_encoding("%%writefile create.py\nopen('x').read()")
