"""The oracle behind check.exercise: pieces tested on a real sandbox and database."""

from __future__ import annotations

from lessonkit.checks.oracle.judge import Options, _outcome
from lessonkit.checks.oracle.sides import Side
from lessonkit.cli.command import run_alembic

REVISION = '''"""notes"""
import sqlalchemy as sa
from alembic import op

revision = "001_notes"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True){extra})


def downgrade() -> None:
    op.drop_table("notes")
'''


def _columns(observation) -> set[str]:
    return set(observation.schema.columns("notes"))


def test_reapply_runs_an_edited_revision_again_from_a_start_already_on_it(make_lesson):
    """A revision fixed after it ran (lesson 03.1): without ``reapply`` the side's files meet a
    start already on their revision and nothing runs; with it, the start goes one step back
    and up again, so the edit shows up and an edit never applied can be told apart."""
    lesson = make_lesson()
    script = lesson.sandbox / "alembic" / "versions" / "001_notes.py"
    script.write_text(REVISION.format(extra=""), encoding="utf-8")
    assert run_alembic(["upgrade", "head"], lesson.sandbox).ok
    side = Side(lesson, 1, "t")
    began = ("001_notes",)
    edited = ', sa.Column("color", sa.String(20))'

    def outcome(reapply: bool):
        side.load(lesson, lesson)
        path = side.sandbox / "alembic" / "versions" / "001_notes.py"
        path.write_text(REVISION.format(extra=edited), encoding="utf-8")
        return _outcome(side, began, began, Options(reapply=reapply))

    plain, again = outcome(False), outcome(True)
    assert _columns(plain.steps["final"]) == {"id"}
    assert _columns(again.steps["final"]) == {"id", "color"}
    assert again.steps["final"].version == began
    assert _columns(again.steps["again"]) == {"id", "color"}
    side.backend.dispose()


def test_cells_replayed_on_a_copy_leave_the_learners_variables_alone(make_lesson, shell):
    """The solution of lesson 04's task 2 sets `unapplied`; run on a copy, it must not replace
    the learner's own answer, and the copy keeps what its cells left for observers."""
    from lessonkit.checks.oracle.sides import acting_as
    from lessonkit.lesson.quiet import run_quietly

    lesson = make_lesson()
    shell.user_ns["unapplied"] = "current:heads"
    side = Side(lesson, 1, "v")
    side.load(lesson, lesson)
    with acting_as(side):
        assert run_quietly('unapplied = "003_add_bio:heads"\nextra = 1').ok
    assert shell.user_ns["unapplied"] == "current:heads" and "extra" not in shell.user_ns
    assert side.variables["unapplied"] == "003_add_bio:heads"
    assert shell.user_ns.get("lesson") is not side.lesson
    side.backend.dispose()


def test_output_marks_the_revision_the_mark_belongs_to(make_lesson):
    """`history` prints «parent -> revision (head)»: the mark is the revision's, not the
    parent's; `heads` prints «revision (head)»."""
    from lessonkit.checks.oracle.observers import output

    lesson = make_lesson()
    for revision, parent in (("001_a", None), ("002_b", "001_a")):
        (lesson.sandbox / "alembic" / "versions" / f"{revision}.py").write_text(
            f"revision = {revision!r}\ndown_revision = {parent!r}\n", encoding="utf-8"
        )
    side = Side(lesson, 1, "m")
    side.load(lesson, lesson)
    side.variables = {"span": "001_a:heads"}
    arrows, marks = output("history").observe(side)
    assert arrows == (("001_a", "002_b"), ("<base>", "001_a")) and marks == (("002_b", "head"),)
    assert output("heads").observe(side) == ((), (("002_b", "head"),))
    assert output("history -r {span}").observe(side) == (arrows, marks)
    assert output("history -r {span}").title == "`alembic history -r $span`"
    side.backend.dispose()


def test_file_text_ignores_the_url_of_each_copys_own_database(tmp_path):
    """On PostgreSQL every copy's alembic.ini names its own database: an ini compared between
    the solution's copy and the learner's must not differ by that URL alone."""
    from types import SimpleNamespace

    from lessonkit.checks.oracle.observers import file_text

    def side(name: str, location: str):
        folder = tmp_path / name
        folder.mkdir()
        url = f"postgresql+psycopg://course@127.0.0.1:5433/{name}"
        (folder / "alembic.ini").write_text(
            f"[alembic]\nscript_location = {location}\nsqlalchemy.url = {url}\n", encoding="utf-8"
        )
        return SimpleNamespace(sandbox=folder, backend=SimpleNamespace(ini_url=url))

    ini = file_text("alembic.ini", "ini")
    same = ini.observe(side("o1a", "%(here)s/migrations"))
    assert same == ini.observe(side("o1b", "%(here)s/migrations"))
    assert same != ini.observe(side("o1c", "migrations"))


def test_a_branch_label_used_twice_is_a_course_error_not_a_crash(make_lesson):
    """Lesson 05.2, task 3: two revisions labelled `audit`. Alembic raises RevisionError
    (not a CommandError) while building the map; a check must still answer, not raise."""
    import pytest

    from lessonkit.checks.oracle.observers import graph
    from lessonkit.core.errors import CourseError

    lesson = make_lesson()
    for revision, parent in (("001_a", None), ("002_b", "001_a")):
        (lesson.sandbox / "alembic" / "versions" / f"{revision}.py").write_text(
            f"revision = {revision!r}\ndown_revision = {parent!r}\nbranch_labels = ('audit',)\n",
            encoding="utf-8",
        )
    side = Side(lesson, 1, "l")
    side.load(lesson, lesson)
    with pytest.raises(CourseError):
        graph().observe(side)
    side.backend.dispose()
