"""Observers that run what a task states, on a side's copy, and compare what came out:

    offline_run("upgrade 003_x:004_y")  the SQL script a DBA gets (`--sql`), run on the
                                           copy's database in place of the online command
    fresh_database()                       the revisions on a new, empty database (CI's):
                                           `upgrade head`, then `downgrade base`
    pytest_result()                        the project's own tests, run as CI runs them
    connection_driver()                    the driver env.py connects with (async or not)

Each value compares equal for every correct way of writing the answer: rows and schema by
content, tests by name and outcome, the driver by name.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
import sqlparse
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks.oracle.compare import comparable, schema_facts
from lessonkit.checks.oracle.observers import Observer
from lessonkit.databases.schema import read_schema
from lessonkit.databases.schema.model import VERSION_TABLE

LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNI|WARNING|ERROR|CRITI|CRITICAL)\s*\[")
PYTHON_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")
TRANSACTION = re.compile(r"^(BEGIN|COMMIT|START TRANSACTION|BEGIN TRANSACTION)\b", re.I)
TEST_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(\S+)")


def _failure(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    failed = [line for line in lines if line.startswith(("FAILED", "Error", "sqlalchemy."))]
    return (failed or lines or [""])[-1][:200]


def _rows(engine: sa.Engine) -> tuple:
    """Every table's rows (alembic_version apart), as multisets of comparable values."""
    found = []
    with engine.connect() as conn:
        for table in sorted(sa.inspect(conn).get_table_names()):
            if table == VERSION_TABLE:
                continue
            quoted = conn.dialect.identifier_preparer.quote(table)
            result = conn.execute(sa.text(f"SELECT * FROM {quoted}"))
            columns = tuple(result.keys())
            order = sorted(range(len(columns)), key=lambda i: columns[i])
            rows = Counter(tuple(comparable(row[i]) for i in order) for row in result)
            found.append((table, tuple(sorted(rows.items(), key=repr))))
    return tuple(found)


def _version(engine: sa.Engine) -> tuple[str, ...]:
    return read_schema(engine).version or ()


def script_statements(script: str) -> list[str]:
    """The statements of an offline script: log lines, comments and the script's own
    BEGIN/COMMIT left out (they run in one transaction of ours)."""
    lines, skip_next = [], False
    for line in script.splitlines():
        warned = PYTHON_WARNING.match(line)  # printed by Python, not written by Alembic
        if not (LOG_LINE.match(line) or warned or (skip_next and line.startswith(" "))):
            lines.append(line)
        skip_next = bool(warned)  # the warning's source line follows, indented
    text = "\n".join(lines)
    found = []
    for statement in sqlparse.split(text):
        body = sqlparse.format(statement, strip_comments=True).strip().rstrip(";").strip()
        if body and not TRANSACTION.match(body):
            found.append(body)
    return found


@dataclass
class offline_run(Observer):
    """`alembic <upgrade|downgrade> <from>:<to> --sql`, run as a DBA would: on a copy of the
    database the side started from (taken online to ``from`` first, if it is elsewhere), the
    script instead of the online command. The value is the data and revision the script
    leaves, or the line it failed on. The side itself is not touched, so its round trip is
    judged on its own."""

    command: str  # "upgrade 003_user_email:004_moderator"

    @property
    def title(self) -> str:
        return f"скрипт `alembic {self.command} --sql`"

    def observe(self, side) -> object:
        from lessonkit.checks.oracle.sides import Side

        verb, span = self.command.split()
        start = span.split(":")[0]
        made = side.alembic(verb, span, "--sql")
        if not made.ok:
            return ("не строится", _failure(made.output))
        copy = Side(side.real, side.number, side.role + "x", side.config)
        copy.load(side, side.database_origin or side)
        try:
            engine = copy.backend.engine
            if start not in _version(engine):
                below = start in _ancestors(copy, _version(engine))
                moved = copy.alembic("downgrade" if below else "upgrade", start)
                if not moved.ok:
                    return ("онлайн-команда до начала скрипта не прошла", _failure(moved.output))
            with engine.begin() as conn:
                for statement in script_statements(made.output):
                    conn.exec_driver_sql(statement)
            return ("выполнен", _version(engine), _rows(engine))
        except SQLAlchemyError as exc:
            return ("не выполняется", str(getattr(exc, "orig", exc)).splitlines()[0][:200])
        finally:
            copy.backend.dispose()

    def describe(self, expected, actual) -> str:
        if actual[0] != "выполнен":
            return f"{self.title}: {actual[0]} — {actual[1]}"
        if expected[0] == "выполнен" and actual[1] != expected[1]:
            return f"{self.title} переводит базу на {', '.join(actual[1]) or 'base'}"
        if expected[0] == "выполнен":
            want, have = dict(expected[2]), dict(actual[2])
            tables = sorted(t for t in set(want) | set(have) if want.get(t) != have.get(t))
            return (
                f"{self.title} меняет данные не так, как решение курса "
                f"(таблицы: {', '.join(tables)})"
            )
        return f"{self.title} выполняется, а у решения курса — нет"


def _ancestors(side, revisions: tuple[str, ...]) -> set[str]:
    """Revisions below ``revisions`` in the side's scripts."""
    from lessonkit.lesson.scripts import sandbox_script

    script = sandbox_script(side.sandbox)
    return {
        item.revision
        for revision in revisions
        for item in script.iterate_revisions(revision, "base")
        if item.revision != revision
    }


@dataclass
class fresh_database(Observer):
    """The revisions on a new, empty database of the lesson's kind — a colleague's clone, a
    CI run: the schema after `upgrade head` and after `downgrade base`, by content."""

    title = "новая пустая база"

    def observe(self, side) -> object:
        from lessonkit.checks.oracle.sides import Side

        fresh = Side(side.real, side.number, side.role + "f", side.config)
        fresh.load_files(side)
        try:
            return tuple(self._step(fresh, *command) for command in FRESH_STEPS)
        finally:
            fresh.backend.dispose()

    def _step(self, fresh, verb: str, target: str) -> tuple:
        done = fresh.alembic(verb, target)
        if not done.ok:
            return (f"{verb} {target}", "ошибка", _failure(done.output))
        facts = schema_facts(read_schema(fresh.backend.engine))
        fresh.backend.dispose()
        FACT_TEXTS.update({key: fact.text for key, fact in facts.items()})
        return (f"{verb} {target}", "прошла", tuple(sorted(facts, key=repr)))

    def describe(self, expected, actual) -> str:
        for want, have in zip(expected, actual, strict=False):
            if want == have:
                continue
            step = f"`alembic {have[0]}`"
            if have[1] == "ошибка":
                return f"на новой пустой базе {step} завершается ошибкой: {have[2]}"
            if want[1] == "ошибка":
                return f"на новой пустой базе {step} должна завершаться ошибкой, а проходит"
            missing = self._shown([k for k in want[2] if k not in have[2]])
            extra = self._shown([k for k in have[2] if k not in want[2]])
            parts = [f"нет: {'; '.join(missing[:3])}"] if missing else []
            parts += [f"лишнее: {'; '.join(extra[:3])}"] if extra else []
            return f"на новой пустой базе после {step} " + ", ".join(parts)
        return "на новой пустой базе ревизии дают не то, что нужно"

    def _shown(self, keys: list[tuple]) -> list[str]:
        """Facts as a learner reads them; a whole table stands for its columns and keys."""
        tables = {key[1] for key in keys if key[0] == "table"}
        kept = [k for k in keys if k[0] in ("table", "enum") or k[1] not in tables]
        return [FACT_TEXTS.get(key, str(key)) for key in kept]


FRESH_STEPS = (("upgrade", "head"), ("downgrade", "base"))
# How each fact reads, for the hint: filled by every observation, kept across check runs (the
# expected side was observed by an earlier instance of the observer, in the cached oracle).
FACT_TEXTS: dict[tuple, str] = {}


@dataclass
class pytest_result(Observer):
    """The project's tests, as CI runs them (`python -m pytest` in the project's folder, a new
    process): each test by name with its outcome."""

    options: str = ""  # more pytest arguments, e.g. "-k test_upgrade"
    title = "тесты pytest"

    def observe(self, side) -> object:
        argv = [sys.executable, "-m", "pytest", "-rA", "--tb=no", "--color=no"]
        argv += ["-p", "no:cacheprovider", *self.options.split()]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
        done = subprocess.run(
            argv, cwd=side.sandbox, capture_output=True, encoding="utf-8", errors="replace", env=env
        )
        outcomes = {}
        for line in done.stdout.splitlines():
            found = TEST_LINE.match(line)
            if found:
                outcomes[found.group(2).rsplit("::", 1)[-1]] = found.group(1)
        if not outcomes:
            return (("(pytest не запустился)", _failure(done.stdout + done.stderr)),)
        return tuple(sorted(outcomes.items()))

    def describe(self, expected, actual) -> str:
        want = dict(expected)
        failing = [test for test, outcome in actual if outcome != want.get(test, "PASSED")]
        missing = [test for test in want if test not in dict(actual)]
        if failing:
            shown = ", ".join(f"{t} ({dict(actual)[t]})" for t in failing[:4])
            return f"{self.title}: не так, как у решения курса, — {shown}"
        if missing:
            return f"{self.title}: не выполнялись {', '.join(missing[:4])}"
        return f"{self.title}: результат не такой, как у решения курса"


@dataclass
class connection_driver(Observer):
    """Which driver env.py connects with when `alembic <command>` runs online: the dialect,
    the DBAPI driver and whether it is the asynchronous one."""

    command: str = "current"
    title = "драйвер подключения env.py"

    def observe(self, side) -> object:
        seen = set()

        def record(connection) -> None:
            dialect = connection.dialect
            seen.add((dialect.name, dialect.driver, bool(dialect.is_async)))

        sa.event.listen(sa.engine.Engine, "engine_connect", record)
        try:
            done = side.alembic(*self.command.split())
        finally:
            sa.event.remove(sa.engine.Engine, "engine_connect", record)
        if not done.ok:
            return ("ошибка", _failure(done.output))
        return tuple(sorted(seen))

    def describe(self, expected, actual) -> str:
        def text(value) -> str:
            if value and value[0] == "ошибка":
                return f"`alembic {self.command}` завершается ошибкой"
            kinds = {True: "асинхронный", False: "синхронный"}
            return ", ".join(f"{driver} ({kinds[is_async]})" for _, driver, is_async in value)

        return f"{self.title}: {text(actual)}, а ожидается {text(expected)}"
