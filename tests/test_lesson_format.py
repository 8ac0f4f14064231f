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
from tests.notebook_runner import KINDS, NOTEBOOKS, exercises, wrong_answers

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
    for exercise in found:
        assert exercise.checks, f"exercise {exercise.number} has a check cell"
        assert exercise.solution.strip(), f"exercise {exercise.number} has a solution"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_exercise_has_wrong_answers_kept_as_test_data(path):
    answers = wrong_answers(path.stem)
    for exercise in exercises(read(path)):
        given = answers.get(exercise.number, [])
        assert given, f"tests/wrong_answers/{path.stem}.md: «## Задание {exercise.number}»"
        writes_downgrade = re.search(r"def downgrade|Downgrade schema", exercise.solution)
        if exercise.kind != "predict" and writes_downgrade:
            assert any("пустой downgrade" in answer.title for answer in given), (
                f"exercise {exercise.number} writes a migration: one of its wrong answers is "
                "«### пустой downgrade()»"
            )


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.md")), ids=lambda p: p.stem)
def test_russian_follows_the_style_guide(path):
    assert style_problems(path.read_text(encoding="utf-8")) == []
