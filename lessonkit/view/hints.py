"""Russian hints for the errors a learner meets: what happened and what to type next."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import traceback

from lessonkit.cli.command import CommandResult, command_names
from lessonkit.core.paths import WORK_DIR, shorten_paths
from lessonkit.databases.pg_server import PERCENT_ENCODE, UNENCODED


def _unknown_command(match: re.Match, _: CommandResult) -> str:
    wrong = match.group(1)
    close = difflib.get_close_matches(wrong, command_names(), n=1)
    guess = f" Возможно, вы имели в виду `%alembic {close[0]}`." if close else ""
    return f"у Alembic нет команды «{wrong}».{guess} Все команды: `%alembic --help`."


# Alembic's own words for a revision, beside the ids of the sandbox's revisions.
REVISION_WORDS = ("head", "heads", "base", "current")


def _known_revision_names() -> list[str]:
    """Every name a learner may type for a revision here; [] when there is no sandbox."""
    from lessonkit.lesson.scripts import sandbox_script

    try:
        script = sandbox_script()
        revisions = list(script.walk_revisions())
    except Exception:  # no lesson, no project, a broken history: no suggestion
        return list(REVISION_WORDS)
    labels = [label for rev in revisions for label in rev.branch_labels]
    return [*REVISION_WORDS, *(rev.revision for rev in revisions), *labels]


def _unknown_revision(match: re.Match, result: CommandResult) -> str:
    wrong = match.group(1)
    if not any(wrong in arg for arg in result.argv):
        # Not typed by the learner: the id came from alembic_version.
        return (
            f"база на ревизии «{wrong}» (так записано в alembic_version), а её файла в "
            "alembic/versions нет: переключились на ветку git, где этой миграции ещё нет, или "
            "историю склеили. Ветка: вернитесь туда, где файл есть, откатите там базу до общей "
            "для веток ревизии (`%alembic downgrade <ревизия>`) и переключитесь снова (урок "
            "13.2). Склейка: выпуском проекта до склейки доведите базу до ревизии, которой "
            "склейка заканчивается (урок 20.1)."
        )
    names = _known_revision_names()
    step = re.fullmatch(r"(.+?)[+-]\d+", wrong)
    if step and step.group(1) in names:
        # «rev+1» is a step, not an id: upgrade/downgrade take it, a range of history does not.
        return (
            f"«{wrong}» — шаг от ревизии, а не её номер: в диапазоне `-r` так писать нельзя. "
            "Назовите ревизию номером; какая идёт за какой, покажет `%alembic history -i`."
        )
    close = difflib.get_close_matches(wrong, names, n=1, cutoff=0.6)
    fixed = shlex.join(close[0] if arg == wrong else arg for arg in result.argv) if close else ""
    if fixed and fixed != shlex.join(result.argv):  # never suggest what was typed
        guess = f"Возможно, вы имели в виду `%alembic {fixed}`. "
    else:
        guess = ""
    return (
        f"ревизии «{wrong}» нет ни в папке versions, ни в alembic_version — или это "
        "сокращение, с которого начинаются несколько ревизий (напишите номер длиннее). "
        f"{guess}Существующие ревизии: `%alembic history`; где база сейчас: `%alembic current`."
    )


# (pattern in Alembic's output, hint or hint(match, result)). The first match wins.
HINTS: list[tuple[str, object]] = [
    (r"invalid choice: '([^']+)'", _unknown_command),
    (
        r"alembic merge: error: the following arguments are required: revisions",
        "`alembic merge` спрашивает, какие ревизии слить; обычно — все головы: "
        '`%alembic merge -m "merge branches" heads` (урок 13.2).',
    ),
    (
        r"the following arguments are required: (.+)",
        lambda m, _: (
            f"не хватает аргумента {m.group(1).strip()}. Пример: `%alembic upgrade head`; "
            "справка по команде: `%alembic <команда> --help`."
        ),
    ),
    (
        r"unrecognized arguments: (.+)",
        lambda m, _: (
            f"Alembic не знает параметр {m.group(1).strip()}. "
            "Параметры команды: `%alembic <команда> --help`."
        ),
    ),
    (r"Can't locate revision identified by '([^']+)'", _unknown_revision),
    (
        r"Relative revision (\S+) didn't produce (\d+) migrations",
        lambda m, _: (
            f"шаг {m.group(1)} выходит за пределы цепочки (за base или за head). "
            "Посмотрите, где вы: `%alembic current` и `%alembic history`."
        ),
    ),
    (
        r"Destination (\S+) is not a valid downgrade target",
        lambda m, _: (
            f"ревизия {m.group(1)} не позади текущей (впереди или на другой ветке): downgrade "
            f"ведёт только назад. Вперёд — `%alembic upgrade {m.group(1)}`; где база сейчас — "
            "`%alembic current`."
        ),
    ),
    (
        r"Requested range (\S+) does not refer to ancestor/descendant",
        lambda m, _: (
            f"в диапазоне {m.group(1)} сначала пишут более старую ревизию, потом более новую: "
            "`-r base:current`, `-r current:heads` (обе на одной ветке)."
        ),
    ),
    (
        r"Database is not on all head revisions",
        "база не на голове: часть миграций не применена. Какие — `%alembic history -i` "
        "(всё выше строки с (current)); применить их — `%alembic upgrade head`.",
    ),
    (
        r"Revision (\S+) referenced from \S+ -> (\S+) .*is not present",
        lambda m, _: (
            f"ревизия {m.group(2)} ссылается в `down_revision` (или `depends_on`) на "
            f"«{m.group(1)}», а такой ревизии в alembic/versions нет: опечатка в номере или "
            "удалённый файл. Исправьте номер в файле ревизии — пока ссылка битая, не работает "
            "ни одна команда Alembic."
        ),
    ),
    (
        r"downgrade with --sql requires <fromrev>:<torev>",
        "с --sql Alembic не подключается к базе и не знает, на какой она ревизии. Укажите "
        "диапазон «откуда:куда»: `%alembic downgrade head:base --sql`.",
    ),
    (
        # Before the heads entries: a copied file with its id unchanged looks like two heads,
        # and merging a revision with itself is no way out (lesson 05.1).
        r"Revision (\S+) is present more than once",
        lambda m, _: (
            f"номер ревизии {m.group(1)} записан в двух файлах (`revision = ...`): файл "
            "скопирован, а номер не исправлен. Alembic путает эти файлы, отсюда и "
            "«несколько голов». Сливать здесь нечего: дайте новому файлу свой номер "
            "в `revision` и правильного родителя в `down_revision`."
        ),
    ),
    (
        r"Multiple heads are present; please specify the head revision",
        "голов несколько, и Alembic не знает, какую продолжить. Укажите её: "
        "`--head <номер>` или `--head <метка>@head`; или сначала объедините головы: "
        '`%alembic merge -m "merge" heads`.',
    ),
    (
        r"Multiple head revisions are present",
        "в истории несколько голов (heads). Посмотрите их: `%alembic heads`; объедините: "
        '`%alembic merge -m "merge" heads` — или примените все: `%alembic upgrade heads`.',
    ),
    (
        r"Target database is not up to date",
        "база отстаёт от последней ревизии (head): сначала `%alembic upgrade head`, затем "
        "повторите команду.",
    ),
    (
        r"Directory (\S+) already exists and is not empty",
        lambda m, _: (
            f"в папке {m.group(1)} уже есть файлы, а Alembic пишет проект только в новую или "
            "пустую папку (и ничего в ней не перезаписывает). Выберите другое имя папки или "
            "начните урок заново первой ячейкой."
        ),
    ),
    (
        r"No 'script_location' key found|No config file '([^']*)' found",
        "в песочнице нет настроенного проекта Alembic (alembic.ini). Выполните первую ячейку "
        "урока или `%alembic init alembic`.",
    ),
    (
        r"Path doesn't exist: (\S+?)\.?\s+Please use the 'init' command",
        lambda m, _: (
            f"папки {m.group(1)} нет: `script_location` в alembic.ini указывает не туда (папку "
            "переименовали или перенесли?). Поправьте путь: `script_location = "
            "%(here)s/<папка>` — от папки, где лежит alembic.ini. Урок 11.1."
        ),
    ),
    (
        r"File contains no section headers",
        "в начале файла настройки без раздела: настройки Alembic пишут под заголовком "
        "`[alembic]` — он должен стоять перед `script_location`. Урок 11.3.",
    ),
    (
        r"'%' must be followed by '%' or '\(', found: '([^']*)'",
        lambda m, _: (
            f"в alembic.ini знак % начинает подстановку вида %(here)s, а «{m.group(1)}» — не "
            "подстановка. Знак % в значении (например, %40 в пароле внутри адреса) пишут "
            "двойным: %%. Урок 11.2."
        ),
    ),
    (
        r"list\.remove\(x\): x not in list",
        "похоже, в разделе [loggers] alembic.ini нет root: logging.config.fileConfig (его "
        "вызывает env.py) требует логгер root. Пример: `keys = root,sqlalchemy,alembic` и "
        "раздел [logger_root]. Урок 11.3.",
    ),
    (
        r"Can't load plugin: sqlalchemy\.dialects:driver",
        "в alembic.ini остался адрес-заглушка driver://user:pass@localhost/dbname. "
        "Пропишите sqlalchemy.url вашей базы.",
    ),
    (
        r"Detected removed table '([^']+)'",
        lambda m, _: (
            f"автогенерация хочет удалить таблицу {m.group(1)}, которая есть в базе. Частые "
            "причины: модуль с её моделью не импортирован в env.py (модели нет в "
            "Base.metadata) — тогда исправьте импорт, а не создавайте ревизию (урок 12.1); или "
            "таблицу переименовали в модели — тогда нужен op.rename_table, написанный вручную "
            "(урок 10.2)."
        ),
    ),
    (
        r"New upgrade operations detected",
        "модели и миграции расходятся: создайте ревизию "
        '`%alembic revision --autogenerate -m "..."`.',
    ),
    (
        r'near "ALTER": syntax error|No support for ALTER of constraints in SQLite',
        "SQLite не умеет так менять таблицу через ALTER: используйте "
        "`with op.batch_alter_table(...)` (урок 07.2).",
    ),
    (
        r"Can't specify insert_before or insert_after when using ALTER",
        "insert_before / insert_after задают место колонки, а его можно выбрать, только когда "
        "пакетный режим пересоздаёт таблицу. Решает он это в момент вызова add_column — по "
        "операциям блока, записанным до неё: на PostgreSQL таблица всегда меняется через "
        "ALTER, а на SQLite — пока перед add_column в блоке нет операции, которой нужно "
        "пересоздание (drop_column, alter_column, ограничения). Поставьте add_column после "
        "такой операции, уберите insert_after (колонка встанет в конец) или задайте "
        "`batch_alter_table(..., recreate='always')` — тогда таблица будет скопирована целиком "
        "(урок 07.2).",
    ),
    (
        r'table (\S+) already exists|relation "([^"]+)" already exists',
        lambda m, _: (
            f"{m.group(1) or m.group(2)} (таблица или индекс) уже есть в базе, хотя "
            "alembic_version о ней не знает. Частые причины: прошлый запуск этой миграции на "
            "SQLite остановился на ошибке посередине — драйвер sqlite3 не отправляет BEGIN перед "
            "DDL, и сделанные шаги остались в базе: удалите их вручную (`%sql DROP ...`) или "
            "начните урок заново первой ячейкой; или база создана без Alembic (create_all, "
            "SQL вручную) — такую базу берут под Alembic командой `stamp` (урок 16.1)."
        ),
    ),
    (
        r"execute\(\) takes 2 positional arguments but 3 were given",
        "`op.execute()` принимает только SQL — без списка параметров. Данные с параметрами: "
        "`op.bulk_insert(table, rows)` или `op.get_bind().execute(sa.text(...), rows)` (урок 08).",
    ),
    (
        r'type "([^"]+)" already exists',
        lambda m, _: (
            f"ENUM-тип {m.group(1)} уже есть в базе: его создала другая миграция или оставил "
            "откат. Создаёт тип одна миграция (и удаляет его в своём downgrade), остальные "
            f'ссылаются на него: postgresql.ENUM(name="{m.group(1)}", create_type=False). '
            "Урок 14.1."
        ),
    ),
    (
        r'type "([^"]+)" does not exist',
        lambda m, _: (
            f"типа {m.group(1)} в базе нет: ни одна миграция его не создала (create_type=False?). "
            "Создайте его в миграции до таблицы или колонки (op.add_column тип не создаёт): "
            "postgresql.ENUM(..., name=...).create(op.get_bind(), checkfirst=True). Урок 14.2."
        ),
    ),
    (
        r'invalid input value for enum (\S+): "([^"]+)"',
        lambda m, _: (
            f"в таблицах есть значение {m.group(2)}, которого нет в ENUM-типе {m.group(1)} "
            "(откат пересоздаёт тип без него?). Сначала переведите такие строки на другое "
            "значение (`%sql UPDATE ...`), потом повторите команду. Урок 14.3."
        ),
    ),
    (
        r"unsafe use of new value",
        "новое значение ENUM-типа можно использовать только после COMMIT, а весь `upgrade` — "
        "одна транзакция. Добавляйте значение в `with op.get_context().autocommit_block():`. "
        "Урок 14.3.",
    ),
    (
        r"has no attribute 'config_loader_name'",
        "атрибута config_loader_name у Config нет (так написано в заметке). Имя секции "
        "alembic.ini — config.config_ini_section, как в шаблоне: "
        "`config.get_section(config.config_ini_section, {})`. Урок 12.1.",
    ),
    (
        r"does not provide a MetaData object",
        "в env.py `target_metadata = None`: автогенерации не с чем сравнить базу. Укажите "
        "`target_metadata = Base.metadata` и импортируйте в env.py модули с моделями. Урок 12.1.",
    ),
    (
        r"invalid interpolation syntax in '([^']*)'",
        "в строке есть «%», а alembic.ini и `config.set_main_option()` читает configparser: для "
        "него % — начало подстановки вроде %(here)s. Удвойте: `url.replace('%', '%%')` — или "
        "передайте URL в `create_engine(url)` / `context.configure(url=url)` напрямую. Урок 12.2.",
    ),
    (
        r"KeyError: '([A-Z][A-Z0-9_]*)'",
        lambda m, _: (
            f"скорее всего, не задана переменная окружения {m.group(1)}, которую читает env.py "
            f"(или модуль, который он импортирует). В терминале: `export {m.group(1)}=...`; в "
            f'ноутбуке: `os.environ["{m.group(1)}"] = "..."` или `%env {m.group(1)}=...`. '
            "Файл .env сам Alembic не читает. Урок 12.2."
        ),
    ),
    (
        r"No module named '([^']+)'",
        lambda m, _: (
            f"Python не нашёл модуль {m.group(1)}. Если это ваш модуль (его импортирует env.py), "
            "проверьте путь импорта — он зависит от того, где лежит файл (`src.database` или "
            "`database`), и строку `prepend_sys_path = .` в alembic.ini: она добавляет в "
            "sys.path папку, из которой запущен alembic. Если это библиотека — установите её. "
            "Урок 12.2."
        ),
    ),
    (
        UNENCODED.pattern,
        lambda m, _: (
            ("сервер не принял пароль; " if "password" in m.group(0) else "адрес разобран не так: ")
            + PERCENT_ENCODE
            + " В alembic.ini знак % ещё и удваивают: `p%%40ss` (урок 11.2)."
        ),
    ),
    (
        r"connection to server on socket .* failed|connection refused|Connection refused",
        "сервер PostgreSQL не отвечает (его остановили?). Выполните первую ячейку урока — она "
        "запустит встроенный сервер; для своего сервера проверьте DATABASE_URL.",
    ),
    (
        r"pg_collation|REGCLASS",
        "duckdb-engine не умеет читать схему DuckDB (отражение сломано с SQLAlchemy 2.x), поэтому "
        "автогенерация на DuckDB недоступна. Этот шаг — на SQLite или PostgreSQL.",
    ),
]

GENERIC = (
    "прочитайте сообщение Alembic выше. База изменилась ровно так, как показывает "
    "схема «до → после» (или не изменилась, если её нет)."
)


def _matching_hint(text: str, result: CommandResult, skip=()) -> str | None:
    for pattern, hint in HINTS:
        if hint in skip:
            continue
        match = re.search(pattern, text)
        if match:
            return hint(match, result) if callable(hint) else hint  # type: ignore[operator]
    return None


def hint_for(result: CommandResult) -> str:
    """What to do, in Russian; prefixed with the file and line of the learner's own code
    when the error was raised there."""
    where = error_location(result)
    if isinstance(result.error, SyntaxError):
        return f"{where} Исправьте строку и повторите команду."
    text = result.output + (str(result.error) if result.error else "")
    found = _matching_hint(text, result) or GENERIC
    return _after(where, found)


def _after(where: str, hint: str) -> str:
    """The hint as the sentence after «Ошибка в файле …, строка N: `…`.», capitalised."""
    return f"{where} {hint[:1].upper()}{hint[1:]}" if where else hint


# Hints that read the arguments of an Alembic command: no use for an error raised elsewhere.
COMMAND_ONLY = (_unknown_command, _unknown_revision)


def hint_for_error(error: BaseException) -> str | None:
    """The hint for an exception raised outside %alembic (a helper, a library called in a
    cell): the table's entry that matches its text, with the learner's file and line when
    it was raised there; None when nothing matches."""
    result = CommandResult([], "", 1, error)
    original = getattr(error, "orig", None)
    text = f"{type(error).__name__}: {error}" + (f"\n{original}" if original else "")
    found = _matching_hint(text, result, skip=COMMAND_ONLY)
    where = error_location(result)
    if found and where:
        return _after(where, found)
    return found or (f"{where} Исправьте строку и выполните ячейку снова." if where else None)


def error_location(result: CommandResult) -> str:
    """«Ошибка в файле work/.../models.py, строка 7: `...`» for an error raised by a file of
    a sandbox (models.py, env.py, a revision); "" for errors inside Alembic or SQLAlchemy."""
    error = result.error
    if isinstance(error, SyntaxError) and error.filename:
        line = (error.text or "").strip()
        code = f": `{line}`" if line else ""
        return (
            f"синтаксическая ошибка ({error.msg}) в файле {shorten_paths(error.filename)}, "
            f"строка {error.lineno}{code}."
        )
    if error is None or error.__traceback__ is None:
        return ""
    root = str(WORK_DIR.resolve())
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(root)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return (
        f"ошибка возникла в файле {shorten_paths(os.path.normpath(frame.filename))}, "
        f"строка {frame.lineno}{code}."
    )


def failure_summary(result: CommandResult) -> str:
    """The command and its exit status; Alembic's own message is printed just above."""
    command = shlex.join(["alembic", *result.argv])
    return f"`{command}` (код выхода {result.exit_code})"
