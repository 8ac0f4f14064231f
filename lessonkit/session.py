"""Which lesson this kernel is in: set by start_lesson, read by %alembic and the helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lessonkit.errors import LessonNotStarted

if TYPE_CHECKING:
    from lessonkit.sandbox import Lesson

_active: Lesson | None = None


def active_lesson() -> Lesson:
    if _active is None:
        raise LessonNotStarted(
            "в этом ядре урок ещё не запущен (например, после перезапуска ядра).",
            hint="выполните первую ячейку кода урока — с start_lesson(...) — и повторите.",
        )
    return _active


def current_lesson() -> Lesson | None:
    return _active


def set_active(lesson: Lesson | None) -> None:
    global _active
    _active = lesson


def lesson_to_change() -> Lesson:
    """The active lesson, for a command that changes its files or database; refused when
    another kernel has taken the sandbox over (see ownership)."""
    from lessonkit import ownership

    lesson = active_lesson()
    ownership.ensure_owner(lesson.name)
    return lesson
