"""Helpers of lessons 04 and 05.1: what a status command printed, counted for a prediction."""

from __future__ import annotations


def revision_lines(lesson) -> int:
    """How many revisions (lines with an arrow) the lesson's last %alembic command printed."""
    return sum(" -> " in line for line in lesson.last.output.splitlines())


def heads_printed(lesson) -> int:
    """How many heads the lesson's last %alembic command (`heads`) printed."""
    return lesson.last.output.count("(head)")
