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
