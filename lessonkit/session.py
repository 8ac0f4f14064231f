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
