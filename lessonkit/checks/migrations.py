"""Checks of behaviour: a migration applied, rolled back and applied again."""

from __future__ import annotations

import re

from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks.scratch import scratch_database
from lessonkit.checks.verdict import Verdict, _report
from lessonkit.cli.command import run_alembic
from lessonkit.databases.schema.diff import diff_schemas
from lessonkit.databases.schema.model import Schema
from lessonkit.lesson.state import lesson_to_change


def round_trip(revision: str, before: Schema) -> Verdict:
    """``downgrade -1`` from ``revision`` gives back the schema ``before`` (taken before the
    revision was applied), and ``upgrade`` again gives back the schema of ``revision``.

    The check runs both commands itself and leaves the database at ``revision``; the order of
    columns is not compared (snapshots never compare it)."""
    lesson = lesson_to_change()
    applied = lesson.snapshot()
    if revision not in (applied.version or ()):
        return _report(
            False,
            "",
            f"откат ревизии {revision} не проверен: база не на ней.",
            f"сначала примените её: %alembic upgrade {revision}",
        )
    down = run_alembic(["downgrade", "-1"], lesson.sandbox)
    if not down.ok:
        return _report(
            False,
            "",
            f"`alembic downgrade -1` упал: {_error_line(down.output)}",
            "исправьте downgrade(); где теперь база — %alembic current.",
        )
    reverted = lesson.snapshot()
    up = run_alembic(["upgrade", revision], lesson.sandbox)
    if reverted != before:
        return _report(
            False,
            "",
            f"после отката схема не та, что до ревизии {revision} («+» — лишнее, «−» — "
            f"пропавшее): {_changes(before, reverted)}",
            "downgrade() — шаги upgrade() снизу вверх, каждый обращён. "
            + ("" if up.ok else "Повторный upgrade после такого отката упал; ")
            + "где теперь база — %alembic current.",
        )
    if not up.ok:
        return _report(
            False,
            "",
            f"повторный `alembic upgrade {revision}` упал: {_error_line(up.output)}",
            "после отката upgrade() должен снова выполняться; %alembic current покажет, где база.",
        )
    again = lesson.snapshot()
    return _report(
        again == applied,
        f"откат {revision} вернул прежнюю схему, повторный upgrade — схему {revision} "
        "(проверка сама выполнила downgrade -1 и upgrade).",
        f"повторный upgrade дал другую схему («+» — лишнее, «−» — пропавшее): "
        f"{_changes(applied, again)}",
        "upgrade() после отката должен давать ту же схему.",
    )


def _changes(before: Schema, after: Schema) -> str:
    return "; ".join(text.strip() for _, text, _ in diff_schemas(before, after).lines())


# -- migration(): what the migration changes, and that its downgrade takes exactly that back ----

OPS = {"+": "added", "-": "removed", "~": "changed"}


def change_spec(change) -> str:
    """ "+table tags", "-column users.temp", "~column users.email", "+index users.ix_email",
    "+enum genderenum": a change at the top level (a new table stands for its columns)."""
    item = change.item
    mark = next(sign for sign, op in OPS.items() if op == change.op)
    where = item.name if item.table is None else f"{item.table}.{item.name}"
    return f"{mark}{item.kind} {where}"


def top_level_changes(before: Schema, after: Schema) -> set[str]:
    diff = diff_schemas(before, after)
    whole = {g.heading.item.name for g in diff.groups if g.heading and g.heading.op != "changed"}
    specs = set()
    for change in diff.changes():
        item = change.item
        if item.kind == "table" and change.op == "changed":
            continue  # the heading of a table whose parts changed: they are listed
        if item.kind != "table" and item.table in whole:
            continue  # part of a table added or removed as a whole
        specs.add(change_spec(change))
    return specs


def _normalise(spec: str) -> str:
    spec = " ".join(spec.split())
    return spec if spec[:1] in OPS else "+" + spec


def migration(revision: str, changes: list[str]) -> Verdict:
    """``revision`` is applied; its ``downgrade()`` takes back exactly ``changes`` and a new
    ``upgrade`` brings them back (equal snapshots).

    changes: what ``upgrade()`` does, at the top level — "+table tags", "+column users.bio",
    "-column users.temp", "~column users.email" (altered), "+index users.ix_users_email",
    "+unique users.uq_users_email", "+check users.ck_age", "+foreign_key posts.fk_user",
    "+enum genderenum". Without a sign, "+" is meant.

    The round trip runs on a copy of the lesson database (see scratch): the learner's own
    database stays where it was, whatever the downgrade does. An empty ``downgrade()`` fails
    the check: it takes nothing back.
    """
    expected = {_normalise(spec) for spec in changes}
    lesson = lesson_to_change()
    version = lesson.snapshot().version or ()
    if revision not in version:
        return _not_applied(revision, version)
    with scratch_database(lesson) as scratch:
        applied = scratch.snapshot()
        down = scratch.alembic("downgrade", "-1")
        if not down.ok:
            return _report(
                False,
                "",
                f"`alembic downgrade -1` с ревизии {revision} упал: {_error_line(down.output)}",
                "исправьте downgrade(). Проверка откатывала копию базы — ваша база не изменилась.",
            )
        reverted = scratch.snapshot()
        up = scratch.alembic("upgrade", revision)
        again = scratch.snapshot() if up.ok else None
    done = top_level_changes(reverted, applied)
    if done != expected:
        return _report(False, "", _mismatch(revision, expected, done), _mismatch_hint(up))
    if again is None:
        return _report(
            False,
            "",
            f"после отката повторный `alembic upgrade {revision}` упал: {_error_line(up.output)}",
            "upgrade() должен выполняться снова после downgrade().",
        )
    listed = ", ".join(sorted(expected))
    return _report(
        again == applied,
        f"ревизия {revision}: upgrade делает {listed}, downgrade убирает ровно это, повторный "
        "upgrade возвращает ту же схему (проверено на копии базы: downgrade -1 и upgrade).",
        f"повторный upgrade дал другую схему: {_changes(applied, again)}",
        "upgrade() после отката должен давать ту же схему.",
    )


def _not_applied(revision: str, version: tuple[str, ...]) -> Verdict:
    return _report(
        False,
        "",
        f"ревизия {revision} не применена (база на {', '.join(version) or 'base'}).",
        f"создайте её, если ещё нет, и примените: `%alembic upgrade {revision}`.",
    )


ERROR_LINE = re.compile(r"^(FAILED:|[\w.]*(Error|Exception)\b[^:]*:)")


def _error_line(output: str) -> str:
    """The line that says what went wrong: Alembic's FAILED, or the exception's own line
    (not the [SQL: ...] block under it, which may span several lines)."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    return (errors or lines or ["(нет вывода)"])[-1]


def _mismatch(revision: str, expected: set[str], done: set[str]) -> str:
    if not done:
        return (
            f"downgrade() ревизии {revision} ничего не меняет в схеме: откат оставляет всё, "
            "что сделал upgrade() (пустой downgrade?)."
        )
    parts = []
    if expected - done:
        parts.append(
            "откат не убирает или upgrade не делает: " + ", ".join(sorted(expected - done))
        )
    if done - expected:
        parts.append("лишнее: " + ", ".join(sorted(done - expected)))
    found = "; ".join(parts)
    found = found[:1].upper() + found[1:]
    return f"ревизия {revision} — между откатом и upgrade разница не та. {found}."


def _mismatch_hint(up) -> str:
    hint = "downgrade() — шаги upgrade() в обратном порядке, каждый обращён"
    if not up.ok:
        hint += "; повторный upgrade после такого отката упал"
    return hint + ". Проверка откатывала копию базы — ваша база не изменилась."


def data_migration(revision: str, query: str, before: list | None, after: list) -> Verdict:
    """A data migration: at ``revision`` ``query`` returns ``after``; ``downgrade -1`` brings
    back ``before`` (None: the query's table is gone then); ``upgrade`` gives ``after`` again.

    Rows compare as tuples, so write ORDER BY in the query. Runs on a copy of the database.
    """
    lesson = lesson_to_change()
    version = lesson.snapshot().version or ()
    if revision not in version:
        return _not_applied(revision, version)
    after = [tuple(row) for row in after]
    before = None if before is None else [tuple(row) for row in before]
    steps = (("применена", (), after), ("откат", ("downgrade", "-1"), before))
    steps += (("снова", ("upgrade", revision), after),)
    with scratch_database(lesson) as scratch:
        for label, command, wanted in steps:
            if command:
                done = scratch.alembic(*command)
                if not done.ok:
                    return _report(
                        False,
                        "",
                        f"`alembic {' '.join(command)}` упал: {_error_line(done.output)}",
                        f"исправьте {command[0]}(). Проверка шла на копии базы — ваша база "
                        "не изменилась.",
                    )
            rows = _rows_or_none(scratch, query)
            if rows != wanted:
                return _report(
                    False,
                    "",
                    f"{_STEP_TEXT[label]} запрос «{query}» вернул "
                    f"{'ошибку (таблицы нет?)' if rows is None else rows}, а ожидалось "
                    f"{'что таблицы нет' if wanted is None else wanted}.",
                    "downgrade() должен вернуть данные, какими они были до ревизии: удалить "
                    "вставленное, вернуть изменённое.",
                )
    return _report(
        True,
        f"данные ревизии {revision}: upgrade даёт {after}, downgrade возвращает "
        f"{'состояние без таблицы' if before is None else before} (проверено на копии базы: "
        "downgrade -1 и upgrade).",
        "",
    )


_STEP_TEXT = {
    "применена": "на применённой ревизии",
    "откат": "после `downgrade -1`",
    "снова": "после повторного upgrade",
}


def _rows_or_none(scratch, query: str) -> list[tuple] | None:
    try:
        return scratch.query(query)
    except SQLAlchemyError:
        return None
