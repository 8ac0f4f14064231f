"""Observers of how a project's configuration makes Alembic behave (lessons 11–13): each turns
one behaviour into a value that is equal for every correct way of writing the configuration.

    terminal("-n production upgrade head --sql")     the command as a new process, as in a terminal
    configured_url("upgrade head --sql", env={...})  the database address env.py hands to Alembic
    version_locations("config/alembic.ini")          the folders of revisions, on Linux and Windows
    log_lines("current")                             how many lines each logger prints, per level
    assignment("alembic/env.py", "target_metadata")  what a Python file assigns to a name
    offline_script("head")                           what the --sql script leaves in an empty DB
"""

from __future__ import annotations

import ast
import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

from lessonkit.checks.oracle.observers import ARROW, LEVELS, LOG_LINE, LOGGER, MARKS, Observer
from lessonkit.cli.command import run_alembic
from lessonkit.cli.terminal import alembic_process
from lessonkit.databases import pg_server

ERROR = "ошибка"
OWN_DATABASE = "база копии"  # the side's own database, whatever its path or name


@contextlib.contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Environment variables for the block (None: unset), put back afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _side_environment(side, env: dict[str, str | None]) -> dict[str, str | None]:
    """An env.py that reads DATABASE_URL must see the side's copy (as Side.alembic arranges),
    unless the observer sets the variable itself."""
    values: dict[str, str | None] = {}
    if os.environ.get(pg_server.ENV_URL) is not None:
        values[pg_server.ENV_URL] = side.backend.engine.url.render_as_string(False)
    values.update(env)
    return values


def _structure(text: str) -> tuple:
    """Revision arrows and marks a command printed (as check.output reads them)."""
    arrows, marks = set(), set()
    for line in text.splitlines():
        arrows |= {(tail.strip(), head) for tail, head in ARROW.findall(line)}
        first = line.strip().split(" ", 1)[0].rstrip(",")
        marks |= {(first, mark) for mark in MARKS.findall(line)}
    return (tuple(sorted(arrows)), tuple(sorted(marks)))


def _in_sandbox(text: str, side) -> str:
    """Paths of the scratch copy as the learner's sandbox would show them."""
    for prefix in {str(side.sandbox) + os.sep, side.sandbox.as_posix() + "/"}:
        text = text.replace(prefix, "")
    return text


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


# -- a command as a terminal runs it --------------------------------------------------------------


@dataclass
class terminal(Observer):
    """`alembic <command>` as a new process from ``cwd`` (a folder of the sandbox): whether it
    succeeds, and the revision structure it prints. In the kernel the sandbox is on sys.path;
    in a terminal it is not — a missing prepend_sys_path shows only here."""

    command: str
    cwd: str = ""

    @property
    def title(self) -> str:
        where = f" из папки {self.cwd}" if self.cwd else ""
        return f"`alembic {self.command}` в терминале{where}"

    def observe(self, side) -> object:
        prefix = ["-c", side.config] if side.config and not self.cwd else []
        if not (side.sandbox / self.cwd).is_dir():
            return (ERROR, f"нет папки {self.cwd}")
        side.backend.dispose()
        done = alembic_process(
            [*prefix, *self.command.split()],
            side.sandbox / self.cwd,
            _side_environment(side, {}),
        )
        if done.returncode != 0:
            return (ERROR, _in_sandbox(_last_line(done.stderr or done.stdout), side))
        return ("ok", _structure(done.stdout + done.stderr))

    def describe(self, expected, actual) -> str:
        if actual[0] == ERROR:
            return f"{self.title} завершается с ошибкой: {actual[1]}"
        if expected[0] == ERROR:
            return f"{self.title} должна завершаться с ошибкой, а проходит"
        return f"{self.title} печатает не те ревизии"


# -- the address env.py configures ----------------------------------------------------------------


@dataclass
class configured_url(Observer):
    """The database address env.py hands to ``context.configure`` (url= offline, connection=
    online) when `alembic <command>` runs with the environment variables ``env`` set: dialect,
    user, password, host, port, database — or «база копии» for the side's own database."""

    command: str
    env: dict[str, str | None] = field(default_factory=dict)

    @property
    def title(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.env.items() if v is not None)
        return f"`alembic {self.command}`" + (f" с {shown}" if shown else "")

    def __repr__(self) -> str:
        return f"configured_url({self.command!r}, {sorted(self.env.items())!r})"

    def observe(self, side) -> object:
        from alembic.runtime.environment import EnvironmentContext

        seen: list[object] = []
        original = EnvironmentContext.configure

        def configure(context, *args, **kwargs):
            connection, url = kwargs.get("connection"), kwargs.get("url")
            if connection is not None:
                seen.append(_address(connection.engine.url, side))
            elif url is not None:
                seen.append(_address(url, side))
            return original(context, *args, **kwargs)

        prefix = ["-c", side.config] if side.config else []
        side.backend.dispose()
        with (
            _environment(_side_environment(side, self.env)),
            mock.patch.object(EnvironmentContext, "configure", configure),
        ):
            result = run_alembic([*prefix, *self.command.split()], side.sandbox)
        side.backend.dispose()
        if not seen:
            return (ERROR, _last_line(result.output))
        return (seen[-1], "ok" if result.ok else _last_line(result.output))

    def describe(self, expected, actual) -> str:
        if actual[0] == ERROR:
            return f"{self.title}: env.py не дошёл до адреса базы — {actual[1]}"
        if expected[0] == ERROR:
            return f"{self.title} должна завершаться с ошибкой, а проходит"
        if actual[0] != expected[0]:
            return f"{self.title}: env.py передаёт Alembic {_address_text(actual[0], expected[0])}"
        return f"{self.title} завершается с ошибкой: {actual[1]}"


ADDRESS_PARTS = ("диалект", "пользователь", "пароль", "хост", "порт", "база")


def _address(url: object, side) -> object:
    """A URL as parts, or «база копии» when it names the side's own database."""
    try:
        url = sa.make_url(url) if not isinstance(url, sa.URL) else url
    except sa.exc.ArgumentError:
        return ("не адрес", str(url))
    own = side.backend.engine.url
    if url.get_backend_name() == own.get_backend_name():
        if url.database and own.database and url.get_backend_name() in ("sqlite", "duckdb"):
            found = (side.sandbox / url.database).resolve()
            if found == Path(own.database).resolve():
                return OWN_DATABASE
        elif (url.host, url.port, url.database) == (own.host, own.port, own.database):
            return OWN_DATABASE
    return (url.drivername, url.username, url.password, url.host, url.port, url.database)


def _address_text(actual: object, expected: object) -> str:
    if actual == OWN_DATABASE:
        return "адрес базы урока, а ожидается другой"
    if expected == OWN_DATABASE:
        return "другой адрес, а ожидается адрес базы урока"
    differ = [
        f"{name} «{have}», а ожидается «{want}»"
        for name, have, want in zip(ADDRESS_PARTS, actual, expected, strict=False)
        if have != want
    ]
    return "адрес, в котором " + "; ".join(differ or ["что-то не так"])


# -- the folders of revisions ---------------------------------------------------------------------


@dataclass
class version_locations(Observer):
    """The folders Alembic collects revisions from, as it splits `version_locations` with the
    ini's separator on Linux/macOS (os.pathsep ":") and on Windows (";"), relative to the
    sandbox. ``raw``: the line itself must stay as it was, too."""

    ini: str = "alembic.ini"
    raw: bool = False

    @property
    def title(self) -> str:
        return f"папки ревизий по {self.ini}"

    def observe(self, side) -> object:
        from alembic.config import Config

        path = side.sandbox / self.ini
        if not path.is_file():
            return (ERROR, f"нет файла {self.ini}")
        config = Config(str(path))
        try:
            section = config.config_ini_section
            text = config.file_config.get(section, "version_locations", raw=True)
        except Exception as exc:  # configparser's many errors: the file does not read
            return (ERROR, str(exc).splitlines()[0])
        systems = []
        for separator in (":", ";"):
            with mock.patch("os.pathsep", separator):
                try:
                    folders = config.get_version_locations_list() or []
                except ValueError as exc:
                    return (ERROR, str(exc).splitlines()[0])
            systems.append(tuple(_relative(folder, side.sandbox) for folder in folders))
        return (text if self.raw else "", tuple(systems))

    def describe(self, expected, actual) -> str:
        if actual[0] == ERROR:
            return f"{self.title}: {actual[1]}"
        if self.raw and actual[0] != expected[0]:
            return f"строка version_locations в {self.ini} изменена, а её нужно оставить как есть"
        names = ("на Linux и macOS", "на Windows")
        for name, have, want in zip(names, actual[1], expected[1], strict=True):
            if have != want:
                shown = ", ".join(have) or "ни одной"
                return f"{name} Alembic ищет ревизии в папках: {shown} — это не те папки"
        return f"{self.title} не те"


def _relative(folder: str, sandbox: Path) -> str:
    """A folder as the sandbox sees it: two copies of one answer give the same text."""
    text = os.path.normpath(folder)
    for prefix in {str(sandbox) + os.sep, sandbox.as_posix() + "/"}:
        text = text.replace(prefix, "")
    return text.replace(os.sep, "/")


# -- the log ---------------------------------------------------------------------------------------


@dataclass
class log_lines(Observer):
    """How many log lines `alembic <command>` prints per logger and level, whatever the log
    format: a line printed twice (a handler on a child logger) doubles its count."""

    command: str = "current"

    @property
    def title(self) -> str:
        return f"журнал `alembic {self.command}`"

    def observe(self, side) -> object:
        result = side.alembic(*self.command.split())
        counts: Counter = Counter()
        for line in result.output.splitlines():
            level, logger = LOG_LINE.search(line), LOGGER.search(line)
            if level and logger:
                family = ".".join(logger.group(1).split(".")[:2])
                counts[(family, LEVELS[level.group(1)])] += 1
        return tuple(sorted(counts.items()))

    def describe(self, expected, actual) -> str:
        want, have = dict(expected), dict(actual)
        lines = []
        for key in sorted(set(want) | set(have)):
            logger, level = key
            if key not in have:
                lines.append(f"нет строк {level} логгера {logger}")
            elif key not in want:
                lines.append(f"лишние строки {level} логгера {logger}")
            elif have[key] > want[key]:
                lines.append(f"строки {level} логгера {logger} повторяются")
            elif have[key] != want[key]:
                lines.append(f"строк {level} логгера {logger} меньше, чем нужно")
        return f"{self.title}: " + "; ".join(lines)


# -- a value a Python file assigns -----------------------------------------------------------------


@dataclass
class assignment(Observer):
    """What a Python file of the sandbox assigns to ``name`` at module level, as code (spaces,
    quotes and line breaks aside): «leave target_metadata as it is» becomes checkable."""

    path: str
    name: str

    @property
    def title(self) -> str:
        return f"`{self.name}` в {self.path}"

    def observe(self, side) -> object:
        file = side.sandbox / self.path
        if not file.is_file():
            return None
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"))
        except SyntaxError as exc:
            return (ERROR, f"строка {exc.lineno}: {exc.msg}")
        values = [
            ast.unparse(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and any(
                isinstance(t, ast.Name) and t.id == self.name
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        ]
        return tuple(values)

    def describe(self, expected, actual) -> str:
        if actual is None:
            return f"нет файла {self.path}"
        if actual and actual[0] == ERROR:
            return f"{self.path} не читается: {actual[1]}"
        shown = "; ".join(f"{self.name} = {v}" for v in actual) or "нет присваивания"
        return f"в {self.path} изменено `{self.name}` (у вас: {shown}) — по заданию его не трогают"


# -- the offline script, executed ------------------------------------------------------------------


@dataclass
class offline_script(Observer):
    """What a database administrator gets: `alembic upgrade <target> --sql` (the SQL alone, as
    `> script.sql` keeps it), executed in a new empty database of the same kind (SQLite or
    DuckDB); the value is the tables' rows it leaves, or the error it stops on."""

    target: str = "head"

    @property
    def title(self) -> str:
        return f"SQL-скрипт `alembic upgrade {self.target} --sql`"

    def observe(self, side) -> object:
        prefix = ["-c", side.config] if side.config else []
        side.backend.dispose()
        done = alembic_process(
            [*prefix, "upgrade", self.target, "--sql"], side.sandbox, _side_environment(side, {})
        )
        if done.returncode != 0:
            return (ERROR, "alembic: " + _last_line(done.stderr or done.stdout))
        kind = side.backend.engine.url.get_backend_name()
        try:
            return ("ok", _run_script(done.stdout, kind))
        except Exception as exc:  # the script's own SQL error, as the administrator sees it
            return (ERROR, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    def describe(self, expected, actual) -> str:
        if actual[0] == ERROR:
            return f"{self.title}, выполненный на пустой базе, завершается с ошибкой: {actual[1]}"
        if expected[0] == ERROR:
            return f"{self.title} должен завершаться с ошибкой, а выполняется"
        want, have = dict(expected[1]), dict(actual[1])
        for table in sorted(set(want) | set(have)):
            if want.get(table) != have.get(table):
                rows = have.get(table)
                shown = ", ".join(repr(r) for r in rows[:3]) if rows else "строк нет"
                return (
                    f"{self.title}, выполненный на пустой базе, оставляет в таблице {table} "
                    f"не те строки: {shown}"
                )
        return f"{self.title} даёт не те данные"


VERSION_TABLE = "alembic_version"


def _run_script(script: str, kind: str) -> tuple:
    if kind == "sqlite":
        connection = sqlite3.connect(":memory:")
        try:
            connection.executescript(script)
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            return tuple(
                (table, _sorted_rows(connection.execute(f'SELECT * FROM "{table}"').fetchall()))
                for table in tables
            )
        finally:
            connection.close()
    if kind == "duckdb":
        import duckdb

        connection = duckdb.connect(":memory:")
        try:
            connection.execute(script)
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT table_name FROM information_schema.tables ORDER BY table_name"
                ).fetchall()
            ]
            return tuple(
                (table, _sorted_rows(connection.execute(f'SELECT * FROM "{table}"').fetchall()))
                for table in tables
            )
        finally:
            connection.close()
    return (("не проверено на этой базе", ()),)


def _sorted_rows(rows: list) -> tuple:
    return tuple(sorted((tuple(row) for row in rows), key=repr))
