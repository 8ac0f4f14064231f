"""Helpers of lesson 04 (status commands)."""

from __future__ import annotations


def revision_lines(lesson) -> int:
    """How many revisions (lines with an arrow) the lesson's last %alembic command printed."""
    return sum(" -> " in line for line in lesson.last.output.splitlines())
