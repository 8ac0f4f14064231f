"""Notes shown under a command that succeeded but may not have done what the learner meant,
and the message for a command stopped by Kernel → Interrupt."""

from __future__ import annotations

import shlex

from lessonkit.cli.command import CommandResult, command_name
from lessonkit.core.errors import CommandInterrupted
from lessonkit.core.markup import MessageBox
from lessonkit.core.paths import shorten_paths
from lessonkit.databases.schema import Schema, diff_schemas
from lessonkit.lesson.applied import AppliedFiles


def nothing_applied(
    result: CommandResult, applied: AppliedFiles, current: tuple[str, ...]
) -> MessageBox | None:
    """`upgrade` that ran no migration: say where the database is, and why an edited
    applied revision was not run again."""
    if command_name(result.argv) != "upgrade" or "--sql" in result.argv:
        return None
    if AppliedFiles.ran_migrations(result):
        return None
    where = ", ".join(current) if current else "base (ни одной применённой ревизии)"
    edited = applied.edited()
    if not edited:
        return MessageBox("info", f"ℹ️ Применять нечего: база уже на ревизии {where}.", [])
    lines = [
        (
            "",
            f"ревизия {e.revision} уже применена, а её файл "
            f"{shorten_paths(str(e.path))} изменён после этого. Alembic хранит в "
            "alembic_version только номер ревизии: применённую он не выполняет повторно и "
            "её файл не перечитывает.",
        )
        for e in edited
    ]
    first = edited[0]
    lines.append(
        (
            "Что делать",
            f"чтобы применить правку, откатите ревизию и примените снова: "
            f"`%alembic downgrade {first.revision}-1` (на шаг до неё), затем `%alembic "
            "upgrade head`. Если "
            "ревизия уже применена на чужих базах (у коллег, на боевой), файл не правят — "
            "пишут новую ревизию с изменением.",
        )
    )
    return MessageBox("warning", "⚠️ Alembic ничего не применил", lines)


def interrupted(result: CommandResult, before: Schema | None, after: Schema | None):
    """The error for a command stopped by Kernel → Interrupt: what the database holds now."""
    command = shlex.join(["alembic", *result.argv])
    if before is None or after is None:
        state = "Что успело измениться в базе, прочитать не удалось."
        hint = (
            "проверьте, где база: `%alembic current`; при сомнениях начните урок заново "
            "первой ячейкой."
        )
    else:
        changed_schema = bool(diff_schemas(before, after).groups)
        # An empty alembic_version created on the way holds no revision either.
        changed_version = (before.version or ()) != (after.version or ())
        if not changed_schema and not changed_version:
            # Only the schema and the version are compared: rows a revision committed itself
            # (batches in autocommit_block, lesson 19.3) stay, and this sentence says so.
            state = (
                "Схема и alembic_version не изменились: прерванная ревизия откатилась или не "
                "начиналась. Строки, которые ревизия фиксировала сама (`autocommit_block()`), "
                "остались в базе."
            )
            hint = f"просто повторите команду: `%{command}`."
        elif changed_schema and not changed_version:
            state = (
                "База изменена частично: часть шагов прерванной ревизии осталась в базе, а "
                "alembic_version о них не знает (схема выше). Повторный upgrade упадёт на "
                "«already exists»."
            )
            hint = (
                "уберите оставшиеся шаги вручную (`%sql DROP TABLE ...`) или начните урок "
                "заново первой ячейкой, затем повторите команду."
            )
        else:
            state = (
                "Часть ревизий применилась: alembic_version изменилась (схема выше), "
                "остальные не выполнены."
            )
            hint = (
                "посмотрите, где база (`%alembic current`), и повторите команду — Alembic "
                "продолжит с этого места."
            )
    return CommandInterrupted(
        f"`{command}` остановлена («Ядро → Прервать выполнение ядра»). {state}",
        hint,
        result.exit_code,
    )
