"""Workshop plans, generated from the lesson sources: a 1-day workshop, a 2-day workshop and
the full course packed tightly, each with breaks and, per lesson, what is done in class and
what is set as homework.

    python tools/schedule.py           # print the plans
    python tools/schedule.py --write   # put them into INSTRUCTOR.md and README.md (markers)
    python tools/schedule.py --check   # exit 1 if either file is out of date (a test runs this)

Minutes come from each lesson's front matter (`teaching:` / `exercises:`), exercises from its
`### Задание N · вид` headings, «if late» advice from its instructor notes (tools/lesson_info).
A new lesson lands in every plan by re-running `course.py schedule`.

How a plan is made:
- a lesson is taught in one of three ways: whole (teaching and every exercise), short
  (teaching and one exercise in class, the «predict» one when there is one — the class votes;
  the others are homework), or at home (the whole lesson, on the site or with `upto=`);
- the day: class from 10:00, breaks of 15 minutes at the first lesson boundary after 75 minutes
  of work (never more than BLOCK_MAX without one), a lunch hour at the first break after 12:30,
  at most DAY_CLASS minutes of class (work and short breaks) a day;
- each lesson's row carries its notes' advice on what to skip when the class runs late;
- what gets class time first: the note's lessons (00–14), their first parts before their later
  parts, then the lessons beyond the note; each is first given its short form in the course's
  order while the days hold it, then lessons are made whole in the same order while they fit.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.lesson_info import Lesson, lessons  # noqa: E402

START_OF_DAY = 10 * 60
DAY_CLASS = 6 * 60  # minutes of class a day: work and short breaks, lunch not counted
BREAK, LUNCH = 15, 60
BLOCK_AIM, BLOCK_MAX = 75, 100  # work before a break: aim, and never more than
LUNCH_AFTER = 12 * 60 + 30
NOTE_LAST = 14  # lessons 00–14 follow the note; later ones go beyond it
WHOLE, SHORT, HOME = "whole", "short", "home"
TARGETS = {
    ROOT / "INSTRUCTOR.md": ("<!-- plans:start -->", "<!-- plans:end -->"),
    ROOT / "README.md": ("<!-- schedule:start -->", "<!-- schedule:end -->"),
}


@dataclass(frozen=True)
class Plan:
    title: str
    days: int | None  # None: as many as the whole course needs
    anchor: str


PLANS = [
    Plan("Однодневный семинар (≈ 6 ч занятий)", 1, "one-day"),
    Plan("Двухдневный семинар (≈ 12 ч занятий)", 2, "two-day"),
    Plan("Весь курс, плотно", None, "full"),
]


def in_class_exercise(lesson: Lesson):
    """The exercise done in class in the short form: «predict» (the class votes), else the first."""
    exercises = lesson.exercise_list
    return next((e for e in exercises if e.kind == "предсказать"), exercises[0])


def cost(lesson: Lesson, way: str) -> int:
    if way == WHOLE:
        return lesson.minutes
    if way == SHORT:
        return lesson.teaching + round(lesson.exercises / max(1, len(lesson.exercise_list)))
    return 0


@dataclass
class Slot:
    day: int
    start: int  # minutes from midnight
    minutes: int
    lesson: Lesson | None = None  # None: a break
    way: str = ""
    label: str = ""


def pack(taught: list[tuple[Lesson, str]]) -> list[Slot]:
    """Lay the lessons out on days: breaks at lesson boundaries, a lunch, DAY_CLASS a day."""
    slots: list[Slot] = []
    day, now, class_used, since_break, lunch = 1, START_OF_DAY, 0, 0, False

    def pause(minutes: int, label: str) -> None:
        nonlocal now, since_break
        slots.append(Slot(day, now, minutes, label=label))
        now += minutes
        since_break = 0

    for lesson, way in taught:
        minutes = cost(lesson, way)
        rest = since_break and (since_break >= BLOCK_AIM or since_break + minutes > BLOCK_MAX)
        eats_lunch = rest and not lunch and now >= LUNCH_AFTER
        short_break = BREAK if rest and not eats_lunch else 0
        if class_used and class_used + short_break + minutes > DAY_CLASS:
            day, now, class_used, since_break, lunch = day + 1, START_OF_DAY, 0, 0, False
        elif eats_lunch:
            pause(LUNCH, "обед")
            lunch = True
        elif rest:
            pause(BREAK, "перерыв")
            class_used += BREAK
        slots.append(Slot(day, now, minutes, lesson, way))
        now += minutes
        class_used += minutes
        since_break += minutes
    if slots and slots[-1].lesson is None:
        slots.pop()
    return slots


def days_used(slots: list[Slot]) -> int:
    return max((s.day for s in slots), default=0)


def priority(lesson: Lesson) -> tuple[int, str]:
    """The note's lessons first (their first parts before the rest), then beyond the note."""
    number, _, part = lesson.number.partition(".")
    if int(number) > NOTE_LAST:
        return (2, lesson.name)
    return (0 if part in ("", "1") else 1, lesson.name)


def allocate(all_lessons: list[Lesson], days: int | None) -> dict[str, str]:
    """How each lesson is taught in a plan of ``days`` days (None: everything, whole)."""
    ways = {x.name: (WHOLE if days is None else HOME) for x in all_lessons}
    if days is None:
        return ways

    def fits() -> bool:
        return days_used(pack(taught(all_lessons, ways))) <= days

    for step_from, step_to in ((HOME, SHORT), (SHORT, WHOLE)):
        for lesson in sorted(all_lessons, key=priority):
            if ways[lesson.name] == step_from:
                ways[lesson.name] = step_to
                if not fits():
                    ways[lesson.name] = step_from
    return ways


def taught(all_lessons: list[Lesson], ways: dict[str, str]) -> list[tuple[Lesson, str]]:
    return [(x, ways[x.name]) for x in all_lessons if ways[x.name] != HOME]


def advice(sentence: str) -> str:
    """«Если отстаёте по времени, пропустите …» → «Пропустите …» (the column says «if late»)."""
    rest = re.sub(r"^Если [^,:]+[,:]\s*", "", sentence)
    return rest[:1].upper() + rest[1:]


def clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def what_in_class(lesson: Lesson, way: str) -> str:
    if way == WHOLE:
        return "целиком"
    done = in_class_exercise(lesson)
    rest = [e for e in lesson.exercise_list if e != done]
    home = ", ".join(str(e.number) for e in rest)
    return f"подача и {done.label}; задания {home} — дома" if rest else f"подача и {done.label}"


def lesson_link(lesson: Lesson) -> str:
    return f"{lesson.title} (`{lesson.name}`)"


def render_plan(plan: Plan, all_lessons: list[Lesson]) -> str:
    ways = allocate(all_lessons, plan.days)
    slots = pack(taught(all_lessons, ways))
    rows = []
    for day in range(1, days_used(slots) + 1):
        rows += ["", f"**День {day}**", ""]
        rows += ["| время | что | как | мин | если не успеваете |", "|---|---|---|---|---|"]
        for slot in (s for s in slots if s.day == day):
            when = f"{clock(slot.start)}–{clock(slot.start + slot.minutes)}"
            if slot.lesson is None:
                rows.append(f"| {when} | *{slot.label}* | | {slot.minutes} | |")
            else:
                how = what_in_class(slot.lesson, slot.way)
                late = " ".join(advice(x) for x in slot.lesson.if_late) or "—"
                rows.append(
                    f"| {when} | {lesson_link(slot.lesson)} | {how} | {slot.minutes} | {late} |"
                )
    work = sum(s.minutes for s in slots if s.lesson)
    breaks = sum(s.minutes for s in slots if s.lesson is None and s.label == "перерыв")
    home = [x for x in all_lessons if ways[x.name] == HOME]
    summary = (
        f"Дней: {days_used(slots)}; работа — {work} мин, перерывы — {breaks} мин "
        f"(без обеда); уроков в классе — {len(slots) - len([s for s in slots if not s.lesson])}"
        f" из {len(all_lessons)}"
    )
    parts = [f'<a id="{plan.anchor}"></a>', "", f"### {plan.title}", "", summary + "."]
    parts += rows
    if home:
        parts += [
            "",
            "**Дома** (сайт курса или `start_lesson(..., upto=...)`): "
            + "; ".join(f"{x.number} {x.title.split('. ', 1)[-1]}" for x in home)
            + ".",
        ]
    return "\n".join(parts)


def render_plans(all_lessons: list[Lesson]) -> str:
    teaching = sum(x.teaching for x in all_lessons)
    exercises = sum(x.exercises for x in all_lessons)
    intro = (
        f"Всего в курсе {len(all_lessons)} уроков: подача — {teaching} мин, задания — "
        f"{exercises} мин, вместе — {teaching + exercises} мин (≈ {(teaching + exercises) / 60:.1f}"
        " ч) без перерывов. Три плана ниже собраны из этих минут командой "
        "`python course.py schedule`."
    )
    return "\n\n".join([intro] + [render_plan(plan, all_lessons) for plan in PLANS])


def render_summary(all_lessons: list[Lesson]) -> str:
    """The README's short version: one line per plan."""
    lines = []
    for plan in PLANS:
        ways = allocate(all_lessons, plan.days)
        slots = pack(taught(all_lessons, ways))
        whole = sum(w == WHOLE for w in ways.values())
        short = sum(w == SHORT for w in ways.values())
        home = sum(w == HOME for w in ways.values())
        lines.append(
            f"- [{plan.title}](INSTRUCTOR.md#{plan.anchor}): дней — {days_used(slots)}, "
            f"уроков целиком — {whole}, с одним заданием в классе — {short}, дома — {home}."
        )
    return "\n".join(lines)


def replaced(text: str, markers: tuple[str, str], table: str) -> str:
    start, end = markers
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"нет меток {start} … {end}")
    return pattern.sub(lambda _: f"{start}\n{table}\n{end}", text)


def main(arguments: list[str]) -> int:
    all_lessons = lessons()
    texts = {
        ROOT / "INSTRUCTOR.md": render_plans(all_lessons),
        ROOT / "README.md": render_summary(all_lessons),
    }
    if "--write" in arguments or "--check" in arguments:
        stale = []
        for target, markers in TARGETS.items():
            text = target.read_text(encoding="utf-8")
            new = replaced(text, markers, texts[target])
            if new != text:
                stale.append(target.name)
                if "--write" in arguments:
                    target.write_text(new, encoding="utf-8")
        if "--check" in arguments and stale:
            print("Планы занятий устарели в " + ", ".join(stale) + ": `python course.py schedule`.")
            return 1
        return 0
    print(texts[ROOT / "INSTRUCTOR.md"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
