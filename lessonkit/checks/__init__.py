"""Checks for the exercises: a Russian verdict, and a precise hint when not done yet.

A check never raises: "Run All" goes on. Each returns a Verdict: the last expression of the
check cell displays it (✅ or ❌ with a hint), and ``bool(verdict)`` serves scripts and tests.
Several conditions: ``check.all_of(check.table_exists("posts"), check.database_at("003"))``.
"""

from __future__ import annotations

from lessonkit.checks.migrations import data_migration, migration, round_trip
from lessonkit.checks.oracle import (
    alembic_check,
    assignment,
    autogenerate_sees,
    configured_url,
    connection_driver,
    exercise,
    file_text,
    fresh_database,
    git_commits,
    graph,
    log_levels,
    log_lines,
    messages,
    models,
    offline_run,
    offline_script,
    output,
    pytest_result,
    rows,
    statements,
    terminal,
    version_locations,
)
from lessonkit.checks.predictions import prediction
from lessonkit.checks.quiet import in_russian
from lessonkit.checks.state import (
    alembic_prints,
    column_exists,
    constraint_exists,
    database_at,
    enum_exists,
    file_contains,
    index_exists,
    path_exists,
    query_returns,
    revision_exists,
    row_exists,
    single_head,
    table_exists,
)
from lessonkit.checks.verdict import Verdict, Verdicts, all_of

__all__ = [
    "Verdict",
    "Verdicts",
    "alembic_check",
    "alembic_prints",
    "all_of",
    "assignment",
    "autogenerate_sees",
    "column_exists",
    "configured_url",
    "connection_driver",
    "constraint_exists",
    "data_migration",
    "database_at",
    "enum_exists",
    "exercise",
    "file_contains",
    "file_text",
    "fresh_database",
    "git_commits",
    "graph",
    "index_exists",
    "log_levels",
    "log_lines",
    "messages",
    "migration",
    "models",
    "offline_run",
    "offline_script",
    "output",
    "path_exists",
    "prediction",
    "pytest_result",
    "query_returns",
    "revision_exists",
    "round_trip",
    "row_exists",
    "rows",
    "single_head",
    "statements",
    "table_exists",
    "terminal",
    "version_locations",
]

# Every check above, as the lessons call it (check.migration(...)): its English warnings said in
# Russian or dropped (see quiet). One place, whatever the checks do inside.
for _name in __all__:
    if _name not in ("Verdict", "Verdicts"):
        globals()[_name] = in_russian(globals()[_name])
del _name
