"""Alembic's process-wide registries, cleaned of what an earlier lesson's env.py put there.

Alembic and its plugins register into module-level tables: autogenerate comparators and
renderers, operations (``Operations.register_operation`` adds methods to a class) and their
implementations, DDL implementations per dialect, plugins. A terminal ``alembic`` starts with
none of a plugin's registrations every time; a kernel keeps them after the env.py that imported
the plugin (alembic_postgresql_enum in lesson 14) has finished, and the next autogenerate
compares differently. ``reset()`` — called by start_lesson — removes every registration made
by a module outside the packages the course itself runs on, and forgets those modules, so that
the next ``import`` in an env.py registers them again, exactly as in a new process.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import alembic.autogenerate
import alembic.ddl  # noqa: F401 — registers Alembic's DDL implementations per dialect
from alembic.autogenerate import render
from alembic.autogenerate.compare import comparators
from alembic.ddl import impl
from alembic.operations import ops
from alembic.operations.base import BatchOperations, Operations
from alembic.runtime import plugins

# Registrations by these top-level packages belong to every process the course starts.
RESIDENT_PACKAGES = frozenset({"alembic", "sqlalchemy", "duckdb_sqlalchemy"})

# Keyed registries (one value per key) as Alembic itself filled them.
_KEYED = {
    "renderers": render.renderers._registry,
    "constraint renderers": render._constraint_renderers._registry,
    "operation implementations": Operations._to_impl._registry,
    "add-constraint operations": ops.AddConstraintOp.add_constraint_ops._registry,
    "DDL implementations": impl._impls,
}
_KEYED_AT_START = {name: dict(table) for name, table in _KEYED.items()}
_PLUGINS_AT_START = frozenset(plugins._all_plugins)
_OPERATION_NAMES_AT_START = {cls: frozenset(vars(cls)) for cls in (Operations, BatchOperations)}


def _package(module: str | None) -> str:
    return (module or "").split(".")[0]


def _is_resident(obj: object) -> bool:
    return _package(getattr(obj, "__module__", None)) in RESIDENT_PACKAGES


def reset() -> list[str]:
    """Remove foreign registrations; returns the packages forgotten (for tests and logs)."""
    foreign: set[str] = set()

    def keep(obj: object) -> bool:
        if _is_resident(obj):
            return True
        foreign.add(_package(getattr(obj, "__module__", None)))
        return False

    for name, table in _KEYED.items():
        _restore_keyed(table, _KEYED_AT_START[name], keep)
    for key, entries in list(comparators._registry.items()):
        comparators._registry[key] = [entry for entry in entries if keep(entry[0])]
    for name in set(plugins._all_plugins) - _PLUGINS_AT_START:
        del plugins._all_plugins[name]
    for cls, names in _OPERATION_NAMES_AT_START.items():
        for name in set(vars(cls)) - names:
            # register_operation() writes a proxy whose globals hold the operation class.
            op_cls = getattr(vars(cls)[name], "__globals__", {}).get("op_cls")
            if op_cls is not None and not keep(op_cls):
                delattr(cls, name)
    foreign.discard("")
    _forget_packages(foreign)
    return sorted(foreign)


def _restore_keyed(table: dict, at_start: dict, keep: Callable[[object], bool]) -> None:
    for key, value in list(table.items()):
        if keep(value):
            continue
        resident = at_start.get(key) or (_resident_impl(key) if table is impl._impls else None)
        if resident is not None:
            table[key] = resident  # a plugin (or an env.py) had replaced the course's own
        else:
            del table[key]


def _resident_impl(dialect: str) -> type | None:
    """The DDL implementation a resident package defined for ``dialect`` (duckdb_sqlalchemy's
    DuckDBImpl, registered after this module's snapshot), if an env.py's class shadowed it."""
    todo = list(impl.DefaultImpl.__subclasses__())
    while todo:
        cls = todo.pop()
        if getattr(cls, "__dialect__", None) == dialect and _is_resident(cls):
            return cls
        todo.extend(cls.__subclasses__())
    return None


def _forget_packages(packages: set[str]) -> None:
    for name in list(sys.modules):
        if _package(name) in packages:
            del sys.modules[name]
