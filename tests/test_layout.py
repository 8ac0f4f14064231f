"""The toolkit's layout: its parts import each other in one direction, and no module imports
itself back through others — type-only imports and imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

from lessonkit.core.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "lessonkit"
# The parts from the ground up: a part may import only the parts before it.
LAYERS = ("core", "cli", "databases", "lesson", "view", "checks", "kernel", "demos")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """Every lessonkit module ``path`` imports, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("lessonkit")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lessonkit"):
            found.add(node.module)
            found |= {
                f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known
            }
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) - {name} for name, path in known.items()}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_no_module_imports_itself_back():
    edges = {k: v for k, v in graph().items() if k != "lessonkit"}  # the face imports all
    assert find_cycle(edges) == []


def test_nothing_inside_imports_the_package_face():
    for name, targets in graph().items():
        if name != "lessonkit":
            assert "lessonkit" not in targets, f"{name} imports lessonkit itself"


def test_parts_import_only_the_parts_below_them():
    for name, targets in graph().items():
        here = part_of(name)
        if here is None:
            continue
        assert here in LAYERS, f"{name}: a part the README's map does not list"
        for target in targets:
            there = part_of(target)
            if there is not None and there != here:
                assert LAYERS.index(there) < LAYERS.index(here), f"{name} imports {target}"
