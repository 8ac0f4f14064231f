"""Checks of where things are now: tables, columns, revisions, files, rows."""

from __future__ import annotations

import shlex
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks.verdict import Verdict, _report
from lessonkit.cli.command import run_alembic
from lessonkit.core.errors import CourseError
from lessonkit.databases.schema.model import KIND_LABELS, KIND_ORDER
from lessonkit.lesson.scripts import revision_path, sandbox_script
from lessonkit.lesson.state import active_lesson, lesson_to_change


def _no_table(table: str) -> Verdict:
    """The verdict of every check that needs ``table`` when the table is not there."""
    return _report(
        False, "", f"таблицы {table} в базе нет.", "создайте её миграцией и примените её."
    )


def table_exists(table: str) -> Verdict:
    tables = active_lesson().snapshot().tables()
    return _report(
        table in tables,
        f"таблица {table} есть в базе.",
        f"таблицы {table} в базе нет (есть: {', '.join(tables) or 'ничего'}).",
        "создайте её и проверьте ещё раз.",
    )


def column_exists(table: str, column: str) -> Verdict:
    schema = active_lesson().snapshot()
    if not schema.has_table(table):
        return _no_table(table)
    columns = schema.columns(table)
    return _report(
        column in columns,
        f"в таблице {table} есть колонка {column}.",
        f"в таблице {table} нет колонки {column} (колонки: {', '.join(columns)}).",
        "добавьте колонку миграцией и примените её: %alembic upgrade head",
    )


def index_exists(table: str, name: str) -> Verdict:
    schema = active_lesson().snapshot()
    if not schema.has_table(table):
        return _no_table(table)
    indexes = [i.name for i in schema.items.values() if i.kind == "index" and i.table == table]
    return _report(
        name in indexes,
        f"у таблицы {table} есть индекс {name}.",
        f"у таблицы {table} нет индекса {name} (индексы: {', '.join(indexes) or 'нет'}).",
        "создайте его в upgrade(): op.create_index(...), и примените миграцию.",
    )


def database_at(revision: str) -> Verdict:
    version = active_lesson().snapshot().version or ()
    now = ", ".join(version) or "пусто (base)"
    return _report(
        revision in version,
        f"база находится на ревизии {revision}.",
        f"база на ревизии {now}, а ожидается {revision}.",
        "%alembic current покажет, где база; %alembic upgrade/downgrade переведут её.",
    )


def single_head() -> Verdict:
    """The history has one head: every branch has been merged (or there is no branch)."""
    try:
        heads = sorted(sandbox_script().get_heads())
    except CourseError as exc:
        return _report(False, "", exc.message, exc.hint or "")
    return _report(
        len(heads) == 1,
        f"у истории одна голова: {', '.join(heads)}.",
        f"голов {len(heads)}: {', '.join(heads) or 'нет ни одной ревизии'}.",
        "%alembic heads покажет головы; объединит их ревизия слияния: "
        '%alembic merge -m "..." heads',
    )


def revision_exists(revision: str) -> Verdict:
    try:
        path = revision_path(revision)
    except CourseError:
        return _report(
            False,
            "",
            f"ревизии {revision} нет в alembic/versions.",
            "создайте её: %alembic revision ... --rev-id " + revision,
        )
    return _report(True, f"ревизия {revision} — файл {path.name}.", "")


def file_contains(path: str, text: str) -> Verdict:
    full = active_lesson().sandbox / path
    if not full.is_file():
        return _report(False, "", f"файла {path} нет.", "сначала создайте его (см. задание).")
    return _report(
        text in full.read_text(encoding="utf-8"),
        f"в {path} есть «{text}».",
        f"в {path} нет «{text}».",
        f"откройте {path} и проверьте эту строку.",
    )


def path_exists(path: str) -> Verdict:
    exists = (active_lesson().sandbox / Path(path)).exists()
    return _report(
        exists, f"{path} на месте.", f"{path} в песочнице нет.", "show_tree() покажет, что есть."
    )


def row_exists(table: str, **values: object) -> Verdict:
    """A row of ``table`` with these values: ``check.row_exists("users", username="bob")``."""
    lesson = active_lesson()
    wanted = ", ".join(f"{column}={value!r}" for column, value in values.items())
    if not lesson.snapshot().has_table(table):
        return _no_table(table)
    where = " AND ".join(f"{column} = :{column}" for column in values) or "1 = 1"
    ((count,),) = lesson.query(f"SELECT COUNT(*) FROM {table} WHERE {where}", **values)
    return _report(
        count > 0,
        f"в таблице {table} есть строка {wanted}.",
        f"в таблице {table} нет строки {wanted}.",
        "вставьте её миграцией и примените: %alembic upgrade head",
    )


def query_returns(sql: str, expected: list[tuple]) -> Verdict:
    """The query gives exactly these rows: the data survived a migration (ORDER BY in sql)."""
    try:
        rows = active_lesson().query(sql)
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return _report(
            False,
            "",
            f"запрос «{sql}» не выполнился: {first_line}",
            "применена ли миграция? %alembic current покажет, где база.",
        )
    expected = [tuple(row) for row in expected]
    return _report(
        rows == expected,
        f"запрос «{sql}» вернул ожидаемые строки.",
        f"запрос «{sql}» вернул {rows}, а ожидается {expected}.",
        "если данные пропали — откатите миграцию, верните строки и перепишите её.",
    )


def constraint_exists(table: str, name: str) -> Verdict:
    """A named index or constraint of ``table``: UNIQUE, CHECK, FOREIGN KEY or an index."""
    schema = active_lesson().snapshot()
    kinds = ("unique", "check", "foreign_key", "index")
    found = [schema.items.get((KIND_ORDER.index(kind), table, name)) for kind in kinds]
    item = next((i for i in found if i is not None), None)
    return _report(
        item is not None,
        f"{KIND_LABELS[item.kind]} {item.describe()} есть в таблице {table}." if item else "",
        f"в таблице {table} нет ограничения или индекса {name}.",
        "создайте его миграцией (на SQLite — в batch_alter_table) и примените её.",
    )


def enum_exists(name: str, values: list[str] | None = None) -> Verdict:
    """A named ENUM type (PostgreSQL) exists; with ``values``, with exactly these labels."""
    item = active_lesson().snapshot().items.get((KIND_ORDER.index("enum"), "", name))
    if item is None:
        return _report(
            False,
            "",
            f"ENUM-типа {name} в базе нет.",
            "его создаёт миграция (CREATE TYPE или sa.Enum в create_table); примените её.",
        )
    labels = item.describe().removeprefix(name).strip()
    expected = "(" + ", ".join(repr(v) for v in values) + ")" if values is not None else labels
    return _report(
        labels == expected,
        f"ENUM-тип {name} {labels} есть в базе.",
        f"ENUM-тип {name} есть, но его значения {labels}, а ожидаются {expected}.",
        "значения ENUM-типа меняет ALTER TYPE ... ADD VALUE.",
    )


def alembic_prints(line: str, expected: str, absent: str | None = None) -> Verdict:
    """``alembic <line>`` succeeds in the sandbox, prints ``expected`` and not ``absent``.

    For exercises on alembic.ini itself (logging levels, paths): the check runs the real
    command, as the learner would in a terminal, and reads what it printed. Use a command that
    does not change the database (current, heads, history).
    """
    result = run_alembic(shlex.split(line), lesson_to_change().sandbox)
    command = f"alembic {line}"
    again = f"выполните `%alembic {line}` и посмотрите, что она печатает."
    if not result.ok:
        last = (result.output.strip().splitlines() or [""])[-1]
        return _report(
            False, "", f"`{command}` завершилась с ошибкой (код {result.exit_code}): {last}", again
        )
    if expected not in result.output:
        return _report(False, "", f"`{command}` не печатает «{expected}».", again)
    if absent is not None and absent in result.output:
        return _report(False, "", f"`{command}` всё ещё печатает «{absent}».", again)
    hidden = f" и не печатает «{absent}»" if absent is not None else ""
    return _report(True, f"`{command}` печатает «{expected}»{hidden}.", "")
