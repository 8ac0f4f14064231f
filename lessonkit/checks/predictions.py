"""Predict exercises: the learner states what a command will do before running it.

    prediction = "002_add_email"            # the exercise cell (the learner's answer)
    check.prediction(prediction, expected="002_add_email", after="revision")   # the check
    %alembic downgrade -1                   # the next cell shows what really happens

The check compares the answer with the author's ``expected`` at once. With ``after``, the course
also checks the author: the next %alembic command observes what really happened (the
database's revision, whether the command failed, the tables) and, if it differs from
``expected``, shows a loud warning — the test suite fails on it, on every database.
"""

from __future__ import annotations

from collections.abc import Callable

from IPython.display import display

from lessonkit.checks.verdict import Verdict, _report
from lessonkit.core.markup import MessageBox
from lessonkit.lesson.state import active_lesson

AUTHOR_MISTAKE = "Ожидание курса не подтвердилось"
YES, NO = {"да", "yes", "true", "упадёт"}, {"нет", "no", "false", "не упадёт"}


def _revision(lesson) -> str:
    return ", ".join(lesson.snapshot().version or ()) or "base"


def _fails(lesson) -> bool:
    return lesson.last is not None and not lesson.last.ok


def _tables(lesson) -> list[str]:
    return sorted(t for t in lesson.snapshot().tables() if t != "alembic_version")


OBSERVERS: dict[str, Callable] = {"revision": _revision, "fails": _fails, "tables": _tables}


def _normal(value: object, like: object) -> object:
    """Answers typed by a person: case, spaces, «да/нет» for a yes/no question, "2" for the
    number 2, "a, b" or ("a", "b") for a list."""
    if isinstance(like, bool):
        if isinstance(value, str):
            word = value.strip().strip(".!").casefold()
            return True if word in YES else False if word in NO else word
        return value
    if isinstance(like, int) and isinstance(value, str | float):
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            return text.casefold()
        return int(number) if number == int(number) else number
    if isinstance(like, list | tuple | set):
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, list | tuple | set):
            return sorted(_normal(v, "") for v in value)
        return value
    if isinstance(value, str):
        return value.strip().strip("\"'").casefold()
    return value


def answer_kind(expected: object) -> str:
    """What kind of answer the question wants, in words."""
    if isinstance(expected, bool):
        return "«да» или «нет» (или True / False)"
    if isinstance(expected, int):
        return "число"
    if isinstance(expected, list | tuple | set):
        return 'список, например ["users", "posts"]'
    return "строка, например номер ревизии в кавычках"


def _unanswered(answer: object) -> bool:
    return answer is None or answer is ... or (isinstance(answer, str) and not answer.strip())


def prediction(
    answer: object,
    expected: object,
    after: str | Callable | None = None,
    explain: str = "",
) -> Verdict:
    """✅ when ``answer`` is ``expected``. ``after``: "revision", "fails", "tables" or a callable
    taking the lesson — what the next %alembic command is checked against."""
    if after is not None:
        observe = OBSERVERS[after] if isinstance(after, str) else after
        active_lesson().expectations.append((observe, expected))
    if _unanswered(answer):
        return _report(
            False,
            "",
            "прогноз не записан.",
            f"ответ — {answer_kind(expected)}. Впишите его в ячейку задания и выполните её, "
            "потом эту проверку; и только потом — следующую ячейку, которая покажет, что "
            "происходит на самом деле.",
        )
    right = _normal(answer, expected) == _normal(expected, expected)
    return _report(
        right,
        f"прогноз верный. {explain}".strip(),
        f"прогноз «{answer}» не совпадёт с тем, что произойдёт.",
        f"ответ — {answer_kind(expected)}. Выполните следующую ячейку: она покажет, что "
        "происходит на самом деле. Найдите, в каком месте рассуждение разошлось с ней.",
    )


def settle(lesson) -> None:
    """After a %alembic command: compare what happened with each pending expectation."""
    pending, lesson.expectations[:] = list(lesson.expectations), []
    for observe, expected in pending:
        actual = observe(lesson)
        if _normal(actual, expected) != _normal(expected, expected):
            display(
                MessageBox(
                    "warning",
                    f"⚠️ {AUTHOR_MISTAKE}",
                    [
                        (
                            "",
                            f"проверка задания считала правильным ответом «{expected}», а "
                            f"получилось «{actual}». Это ошибка курса, не ваша: сообщите "
                            "авторам.",
                        )
                    ],
                )
            )
