"""Lesson 10.1: which operations autogenerate wrote into a revision's upgrade().

    check.prediction(prediction, ["add_column", "drop_index"],
                     after=upgrade_operations("002_add_bio"))

The file is read as Python (ast), not searched as text: a comment or a string that mentions
`op.drop_index(` is not an operation.
"""

from __future__ import annotations

import ast
from collections.abc import Callable


def operations_in_upgrade(source: str) -> list[str]:
    """Names of the ``op.<name>(...)`` calls inside ``def upgrade``, sorted, each once."""
    tree = ast.parse(source)
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "op"
                    and call.func.attr != "f"  # op.f("name") marks a name, it changes nothing
                ):
                    found.add(call.func.attr)
    return sorted(found)


def upgrade_operations(revision: str) -> Callable[[object], list[str]]:
    """For check.prediction(after=...): the operations in upgrade() of ``revision`` once the
    next command has written it."""

    def observe(_lesson) -> list[str]:
        from lessonkit.lesson.scripts import revision_path

        return operations_in_upgrade(revision_path(revision).read_text(encoding="utf-8"))

    return observe
