"""The solution is the oracle: an exercise is judged by comparing the learner's outcome with the
outcome of the course's own solution, both run from the same starting point on the same data.

    check.exercise(2)                                  # a migration: schema, data, the round trip
    check.exercise(3, names=["ix_tags_name"])          # these names are part of the task
    check.exercise(1, observe=[check.output("heads")]) # what a command prints, parsed
    check.exercise(2, observe=[check.rows("SELECT * FROM v")])  # a VIEW's rows (probes.py)

See judge.py for the procedure, spec.py for where the exercise's cells come from.
"""

from lessonkit.checks.oracle.command_observers import (
    assignment,
    configured_url,
    log_lines,
    offline_script,
    terminal,
    version_locations,
)
from lessonkit.checks.oracle.judge import exercise
from lessonkit.checks.oracle.observers import (
    alembic_check,
    file_text,
    git_commits,
    graph,
    log_levels,
    messages,
    output,
    statements,
)
from lessonkit.checks.oracle.probes import autogenerate_sees, models, rows
from lessonkit.checks.oracle.run_observers import (
    connection_driver,
    fresh_database,
    offline_run,
    pytest_result,
)

__all__ = [
    "alembic_check",
    "assignment",
    "autogenerate_sees",
    "configured_url",
    "connection_driver",
    "exercise",
    "file_text",
    "fresh_database",
    "git_commits",
    "graph",
    "log_levels",
    "log_lines",
    "messages",
    "models",
    "offline_run",
    "offline_script",
    "output",
    "pytest_result",
    "rows",
    "statements",
    "terminal",
    "version_locations",
]
