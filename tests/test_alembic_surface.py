"""Alembic's public surface, run live (issue 20, part 12): every `op` directive and every
command of the installed Alembic appears in code a lesson runs, or in NOT_TAUGHT_YET.

A new Alembic release that adds a directive or a command fails here until a lesson runs it
(or it is listed); teaching a listed one fails until it leaves the list. Only code is read: the
lessons' code cells and the ```python solutions, never prose or the ```bash summaries."""

from __future__ import annotations

import inspect
import re
import shlex

import alembic.command
from alembic.operations import Operations

from lessonkit.core.paths import REPO_ROOT

SOURCES = REPO_ROOT / "lessons_src"
# Not in any lesson yet (issue 20 lists where each belongs).
NOT_TAUGHT_YET = {
    "directives": {
        "create_exclude_constraint",
        "create_primary_key",
        "create_table_comment",
        "drop_table_comment",
        "implementation_for",
        "inline_literal",
        "invoke",
        "register_operation",
        "run_async",
    },
    "commands": {"edit"},
}
# Attributes of Operations that are machinery, not directives a migration calls.
NOT_DIRECTIVES = {"context", "create_module_class_proxy"}
# Run in code Alembic writes, not in code a lesson writes: autogenerate puts op.f("ix_...") in
# the revisions lessons 02 and 16.1 generate and apply (their prose explains it).
WRITTEN_BY_AUTOGENERATE = {"f"}
CODE = re.compile(r"^```(?:\{code-cell\}[^\n]*|python)\n(.*?)^```", re.M | re.S)
# Options of the alembic command line that take a value (they come before the command).
WITH_VALUE = {"-c", "--config", "-n", "--name", "-x"}


def public_directives() -> set[str]:
    return {n for n in dir(Operations) if not n.startswith("_")} - NOT_DIRECTIVES


def public_commands() -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(alembic.command, inspect.isfunction)
        if function.__module__ == "alembic.command" and not name.startswith("_")
    }


def lesson_code() -> str:
    return "\n".join(
        block
        for path in sorted(SOURCES.glob("*.md"))
        for block in CODE.findall(path.read_text(encoding="utf-8"))
    )


def directives_used(code: str) -> set[str]:
    return set(re.findall(r"\b(?:op|batch_op|Operations)\.([a-z_]+)\b", code)) | (
        WRITTEN_BY_AUTOGENERATE if "--autogenerate" in code else set()
    )


def commands_used(code: str) -> set[str]:
    """The command of each `%alembic …` / `!alembic …` line, after its options, and each
    `command.<name>(` of Alembic's Python API."""
    found = set(re.findall(r"\bcommand\.([a-z_]+)\(", code))
    for rest in re.findall(r"[%!]alembic\s+([^\n]+)", code):
        try:
            words = shlex.split(rest)
        except ValueError:
            continue
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word in WITH_VALUE:
                skip = True
            elif not word.startswith("-"):
                found.add(word)
                break
    return found


def test_the_readers_find_what_a_cell_runs():
    code = (
        '%alembic -c reports.ini -x "a=b c" upgrade head\n'
        "!alembic --raiseerr history -r current:heads\n"
        "command.stamp(config, 'head')\n"
        'op.create_table("t")\n'
        "with op.batch_alter_table('t') as batch_op:\n    batch_op.drop_column('c')\n"
    )
    assert commands_used(code) == {"upgrade", "history", "stamp"}
    assert directives_used(code) == {"create_table", "batch_alter_table", "drop_column"}


def test_every_public_directive_and_command_is_run_by_a_lesson():
    code = lesson_code()
    for kind, public, used in (
        ("directives", public_directives(), directives_used(code)),
        ("commands", public_commands(), commands_used(code)),
    ):
        missing = public - used
        listed = NOT_TAUGHT_YET[kind]
        assert missing - listed == set(), f"{kind} no lesson runs (teach or list them)"
        assert listed - missing == set(), f"{kind} taught now: take them off NOT_TAUGHT_YET"
        assert listed <= public, f"{kind} Alembic no longer has: {listed - public}"
