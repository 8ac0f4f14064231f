"""Workshop plans (tools/schedule.py): generated from the lesson sources, so a new lesson lands
in them; every lesson is in every plan (in class or at home); days and blocks keep their
limits; the plans in INSTRUCTOR.md and README.md are up to date (test_repository)."""

from __future__ import annotations

import shutil

import pytest

from tools import lesson_info, schedule


@pytest.fixture(scope="module")
def course():
    return lesson_info.lessons()


@pytest.mark.heavy
@pytest.mark.parametrize("plan", schedule.PLANS, ids=lambda p: p.anchor)
def test_a_plan_holds_every_lesson_within_its_days(course, plan):
    ways = schedule.allocate(course, plan.days)
    slots = schedule.pack(schedule.taught(course, ways))
    assert set(ways) == {x.name for x in course}
    in_class = [s.lesson.name for s in slots if s.lesson]
    at_home = [name for name, way in ways.items() if way == schedule.HOME]
    assert sorted(in_class + at_home) == sorted(x.name for x in course), "each lesson once"
    assert plan.days is None or schedule.days_used(slots) == plan.days
    for day in range(1, schedule.days_used(slots) + 1):
        today = [s for s in slots if s.day == day]
        work = sum(s.minutes for s in today if s.lesson or s.label == "перерыв")
        assert work <= schedule.DAY_CLASS, (day, work)
        assert today[0].lesson and today[-1].lesson, "a day starts and ends with a lesson"
        assert sum(s.label == "обед" for s in today) <= 1
        block = 0
        for slot in today:
            block = block + slot.minutes if slot.lesson else 0
            assert block <= schedule.BLOCK_MAX or block == slot.minutes, (day, slot)


def test_the_short_form_keeps_one_exercise_in_class(course):
    for lesson in course:
        done = schedule.in_class_exercise(lesson)
        assert done in lesson.exercise_list
        text = schedule.what_in_class(lesson, schedule.SHORT)
        assert done.label in text and "— дома" in text


@pytest.mark.heavy
def test_a_new_lesson_lands_in_every_plan(tmp_path, monkeypatch):
    """Issue 20 adds lessons: re-running the command is all it takes. The new lesson is
    numbered 99 so that it stays the last one whatever lessons the course gains."""
    sources = tmp_path / "lessons_src"
    shutil.copytree(lesson_info.SOURCES, sources)
    text = (sources / "18_async.md").read_text(encoding="utf-8")
    new = text.replace("# Урок 18. Асинхронный", "# Урок 99. Новый урок: асинхронный", 1)
    (sources / "99_new_lesson.md").write_text(new, encoding="utf-8")
    monkeypatch.setattr(lesson_info, "SOURCES", sources)
    course = lesson_info.lessons()
    assert course[-1].name == "99_new_lesson"
    plans = schedule.render_plans(course)
    assert plans.count("99 Новый урок") + plans.count("(`99_new_lesson`)") == len(schedule.PLANS)
    assert "(`99_new_lesson`) | целиком" in plans, "the full course teaches it whole"


def test_the_notes_advice_on_what_to_skip_reads_as_one_sentence(course):
    """«**Если не успеваете.** Раздел …» and «Если отстаёте, пропустите …» both become
    «Раздел …» / «Пропустите …» in the plans' column «если не успеваете»."""
    advised = [schedule.advice(s) for lesson in course for s in lesson.if_late]
    assert len(advised) >= len(course) // 2, "most lessons' notes say what to skip"
    for sentence in advised:
        assert not sentence.startswith("Если"), sentence
        assert sentence[:1] == sentence[:1].upper() and sentence.endswith((".", "!", "»", ")"))
