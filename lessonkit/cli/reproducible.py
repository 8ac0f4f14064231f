"""COURSE_REPRODUCIBLE=1 (set by `make site`): a lesson prints the same thing on every run.

Alembic names a new revision with a random id and stamps its file with the current time, and
the log format of lesson 11 prints the time of day. For the static site two builds must differ
only in their build date, so in this mode the kernel gets deterministic revision ids (the same
sequence from each start_lesson), a fixed «Create Date» and a fixed clock for log records.
Learners never run in this mode.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import time

ENV = "COURSE_REPRODUCIBLE"
FIXED = datetime.datetime(2025, 1, 10, 12, 0, 0)
_counter = {"lesson": "", "n": 0}


def active() -> bool:
    return os.environ.get(ENV) == "1"


def _rev_id() -> str:
    _counter["n"] += 1
    return hashlib.sha256(f"{_counter['lesson']}/{_counter['n']}".encode()).hexdigest()[:12]


def enable() -> None:
    import alembic.util
    from alembic.script.base import ScriptDirectory

    alembic.util.rev_id = _rev_id
    ScriptDirectory._generate_create_date = lambda self: FIXED
    logging.Formatter.converter = lambda *_: time.gmtime(FIXED.timestamp())


def restart(lesson: str) -> None:
    """Each start_lesson begins the revision ids anew: a lesson's ids do not depend on what
    ran before it in the kernel."""
    _counter["lesson"], _counter["n"] = lesson, 0


def save() -> dict:
    """Where the sequence of ids stands (an exercise check replays cells on a copy and must not
    move it for the learner's own next revision)."""
    return dict(_counter)


def restore(saved: dict) -> None:
    _counter.update(saved)
