"""Every lesson is one sitting with real practice: limits on cells and words, at least three
exercises of the three kinds, each with a check, a solution and wrong answers kept as test
data; the Russian follows the course's style guide."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.lesson_format import (
    MAX_CODE_CELLS,
    MAX_WORDS,
    MIN_EXERCISES,
    code_cells,
    long_paragraphs,
    prose_words,
    style_problems,
)
from tests.notebook_runner import (
    KINDS,
    NOTEBOOKS,
    exercises,
    right_answers,
    tags_of,
    wrong_answers,
)

MIN_WRONG, MIN_RIGHT = 5, 2  # per exercise (issue 16): the check is tested as a judge
# A check cell judges by the solution's outcome (check.exercise) or settles a prediction.
JUDGES = ("check.exercise(", "check.prediction(")

SOURCES = NOTEBOOKS.parent / "lessons_src"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_one_sitting(path):
    notebook = read(path)
    assert len(code_cells(notebook)) <= MAX_CODE_CELLS
    assert prose_words(notebook) <= MAX_WORDS
    assert long_paragraphs(notebook) == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_three_kinds_of_exercise_each_checked_and_solved(path):
    found = exercises(read(path))
    assert len(found) >= MIN_EXERCISES
    assert {exercise.kind for exercise in found} >= set(KINDS), "apply, fix and predict"
    notebook = read(path)
    for exercise in found:
        checks = [c for c in exercise.cells(notebook) if "check" in tags_of(c)]
        assert checks, f"exercise {exercise.number} has a check cell"
        assert exercise.solution.strip(), f"exercise {exercise.number} has a solution"
        judged = any(judge in c.source for c in checks for judge in JUDGES)
        assert judged, f"exercise {exercise.number}: check.exercise(...) or check.prediction(...)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_exercise_keeps_wrong_and_right_answers_as_test_data(path):
    answers, right = wrong_answers(path.stem), right_answers(path.stem)
    for exercise in exercises(read(path)):
        given = answers.get(exercise.number, [])
        assert len(given) >= MIN_WRONG, (
            f"tests/wrong_answers/{path.stem}.md «## Задание {exercise.number}»: "
            f"{len(given)} of at least {MIN_WRONG} wrong answers"
        )
        valid = right.get(exercise.number, [])
        assert len(valid) >= MIN_RIGHT, (
            f"tests/right_answers/{path.stem}.md «## Задание {exercise.number}»: "
            f"{len(valid)} of at least {MIN_RIGHT} right answers written differently"
        )
        writes_downgrade = re.search(r"def downgrade|Downgrade schema", exercise.solution)
        if exercise.kind != "predict" and writes_downgrade:
            assert any("пустой downgrade" in answer.title for answer in given), (
                f"exercise {exercise.number} writes a migration: one of its wrong answers is "
                "«### пустой downgrade()»"
            )


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.md")), ids=lambda p: p.stem)
def test_russian_follows_the_style_guide(path):
    assert style_problems(path.read_text(encoding="utf-8")) == []
