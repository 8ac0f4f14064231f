"""The SQL echo log (logger sqlalchemy.engine at INFO), trimmed to the statements that matter.

With the echo on, one `upgrade` prints ~80 lines: Alembic's reflection queries (PRAGMA, catalog
SELECTs) and a parameter line after each statement, with timings that change on every run
(«[generated in 0.00006s]»). What a learner needs is the DDL and DML Alembic sends, and where
transactions begin and end. The full output stays in ``lesson.last.output``.

Only the log format of Alembic's own alembic.ini is recognised (``LEVEL [logger] message``);
with another format the output is shown as it is.
"""

from __future__ import annotations

import re

from lessonkit.core.tracebacks import without_background

RECORD = re.compile(r"^(DEBUG|INFO|WARNI|WARNING|ERROR|CRITI|CRITICAL)\s+\[([\w.]+)\] ?(.*)$")
# A Python warning printed between log records («…/batch.py:12: UserWarning: …») and the
# source line under it: never part of a statement, always shown.
WARNING_LINE = re.compile(r"^\S+:\d+: \w*Warning: ")
ENGINE_LOGGER = "sqlalchemy.engine.Engine"
# The first word of an echoed statement worth showing.
STATEMENTS = {
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "CREATE",
    "ALTER",
    "DROP",
    "INSERT",
    "UPDATE",
    "DELETE",
    "COMMENT",
}
FULL_LOG_HINT = "весь вывод: `print(lesson.last.output)`"


def _records(output: str) -> list[tuple[str | None, list[str]]]:
    """(logger, lines) per log record; text outside any record has logger None."""
    records: list[tuple[str | None, list[str]]] = []
    in_warning = False
    for line in output.splitlines(keepends=True):
        match = RECORD.match(line.rstrip("\n"))
        if match:
            records.append((match.group(2), [line]))
            in_warning = False
        elif WARNING_LINE.match(line):
            records.append((None, [line]))
            in_warning = True
        elif in_warning and line.startswith(" "):
            records[-1][1].append(line)  # the source line Python prints under a warning
        elif records and records[-1][0] is not None:
            records[-1][1].append(line)  # a multi-line statement continues its record
        else:
            records.append((None, [line]))
            in_warning = False
    return records


def _matters(lines: list[str]) -> bool:
    text = RECORD.match(lines[0].rstrip("\n")).group(3) + " " + "".join(lines[1:])  # type: ignore[union-attr]
    words = text.split()
    return bool(words) and words[0].upper().rstrip(";") in STATEMENTS


def trim(output: str) -> str:
    """The output with SQL echo reduced to DDL, DML and transaction lines, and a note saying
    how many lines were left out; without SQLAlchemy's «Background on this error at …» link,
    the same for every error of a kind. Output without SQL echo or link is returned unchanged."""
    output = without_background(output)
    kept, hidden = [], 0
    for logger, lines in _records(output):
        if logger == ENGINE_LOGGER and not _matters(lines):
            hidden += len(lines)
        else:
            kept.extend(lines)
    if not hidden:
        return output
    note = (
        f"… скрыто строк журнала SQL: {hidden} (запросы Alembic к каталогу базы, параметры и "
        f"время каждого запроса); {FULL_LOG_HINT}\n"
    )
    return "".join(kept) + note
