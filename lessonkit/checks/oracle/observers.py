"""What a check looks at on a side, beyond the schema and the data: each observer turns one
aspect of the result into a value that compares equal for every correct way of writing it.

    output("history")          the revision graph a command prints (ids, arrows, marks)
    log_levels("current")      which loggers print at which levels (any log format)
    file_text("x.sql", "sql")  a file, as SQL (case and spaces folded), ini (parsed) or text
    graph()                    the revision graph the scripts define, and its heads
    alembic_check()            whether `alembic check` finds models and migrations equal
    git_commits()              what git has committed, and whether the tree is clean
    statements()               whether the migration's data statements use bound parameters
    messages()                 each revision's message (`-m`), when the task states it
"""

from __future__ import annotations

import configparser
import re
import subprocess
from dataclasses import dataclass

from lessonkit.checks.oracle.compare import normal_sql

LEVELS = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARNI": "WARNING",
    "WARNING": "WARNING",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "CRITI": "CRITICAL",
    "CRITICAL": "CRITICAL",
}
LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNI|WARNING|WARN|ERROR|CRITI|CRITICAL)\b")
LOGGER = re.compile(r"\b((?:alembic|sqlalchemy)(?:\.[\w]+)*)\b")
ARROW = re.compile(r"(<base>|[\w]+(?:, [\w]+)*) -> ([\w]+)")
MARKS = re.compile(r"\((head|effective head|current|branchpoint|mergepoint)\)")


class Observer:
    """One aspect of a side's final state. ``title`` names it in a hint. An observer of the
    whole run (``whole_run``) is read after the round trip and compared after its steps; one
    of every step (``each_step``) is read and compared after upgrade, downgrade and upgrade."""

    title = ""
    reads_variables = False  # the answer is a notebook variable, not a file or the database
    whole_run = False
    each_step = False

    def observe(self, side) -> object:
        raise NotImplementedError

    def describe(self, expected: object, actual: object) -> str:
        return f"{self.title}: у вас {actual!r}, а ожидается {expected!r}"


@dataclass
class output(Observer):
    """The revision structure `alembic <command>` prints: arrows between ids, and the marks
    (head), (current)… on each id. Messages, dates and paths are left out: the learner may
    word a revision's message as they like. ``{name}`` in the command is the notebook
    variable ``name`` as each side left it: `output("history -r {unapplied}")` runs the
    solution's range on one side and the learner's on the other."""

    command: str

    @property
    def title(self) -> str:
        # "{unapplied}" is shown as the cell writes it: $unapplied
        return f"`alembic {self.command.replace('{', '$').replace('}', '')}`"

    @property
    def reads_variables(self) -> bool:
        return "{" in self.command

    def observe(self, side) -> object:
        try:
            command = (
                self.command.format_map(side.variables) if self.reads_variables else self.command
            )
        except (KeyError, ValueError):  # the variable is not defined yet
            return ("ошибка",)
        result = side.alembic(*command.split())
        if not result.ok:
            return ("ошибка",)
        arrows, marks = set(), set()
        for line in result.output.splitlines():
            found = ARROW.findall(line)
            arrows |= {(tail.strip(), head) for tail, head in found}
            # «a -> b (head)» marks b; «b (head)» (heads, current) marks the first word
            marked = found[-1][1] if found else line.strip().split(" ", 1)[0].rstrip(",")
            marks |= {(marked, mark) for mark in MARKS.findall(line)}
        return (tuple(sorted(arrows)), tuple(sorted(marks)))

    def describe(self, expected, actual) -> str:
        if actual == ("ошибка",):
            return f"{self.title} завершается с ошибкой"
        return f"{self.title} печатает другую историю: {_graph_text(actual)}"


def _graph_text(value) -> str:
    arrows, marks = value
    shown = ", ".join(f"{a} → {b}" for a, b in arrows) or "ни одной ревизии"
    marked = ", ".join(f"{rev} ({mark})" for rev, mark in marks)
    return shown + (f"; отметки: {marked}" if marked else "")


@dataclass
class log_levels(Observer):
    """Which loggers print at which levels when `alembic <command>` runs, whatever the log
    format says the line looks like; and whether SQL reaches the output."""

    command: str = "current"

    @property
    def title(self) -> str:
        return f"журнал `alembic {self.command}`"

    def observe(self, side) -> object:
        result = side.alembic(*self.command.split())
        pairs = set()
        for line in result.output.splitlines():
            level, logger = LOG_LINE.search(line), LOGGER.search(line)
            if level and logger:
                pairs.add((LEVELS[level.group(1)], _logger_family(logger.group(1))))
        return tuple(sorted(pairs))

    def describe(self, expected, actual) -> str:
        def text(pairs):
            return ", ".join(f"{logger}: {level}" for level, logger in pairs) or "ничего"

        return f"{self.title}: печатает {text(actual)}, а ожидается {text(expected)}"


def _logger_family(name: str) -> str:
    """sqlalchemy.engine.Engine and sqlalchemy.engine are one family for a configuration."""
    parts = name.split(".")
    return ".".join(parts[:2])


@dataclass
class file_text(Observer):
    """A file of the sandbox: "sql" folds case and spaces; "ini" compares the parsed settings
    (spaces around «=» and comments do not matter); "text" compares lines without trailing
    spaces."""

    path: str
    as_: str = "text"

    @property
    def title(self) -> str:
        return f"файл {self.path}"

    def observe(self, side) -> object:
        full = side.sandbox / self.path
        if not full.is_file():
            return None
        text = full.read_text(encoding="utf-8", errors="replace")
        # Each copy points its ini at a database of its own (on PostgreSQL, by name): that URL
        # is the copy's, not the learner's choice.
        own_url = getattr(side.backend, "ini_url", "")
        if own_url:
            text = text.replace(own_url, "<база копии>")
        if self.as_ == "sql":
            return tuple(normal_sql(s) for s in text.split(";") if normal_sql(s))
        if self.as_ == "ini":
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read_string(text)
            except configparser.Error:
                return ("не читается",)
            return tuple(
                (section, key, " ".join(value.split()))
                for section in parser.sections()
                for key, value in sorted(parser.items(section, raw=True))
            )
        return tuple(line.rstrip() for line in text.strip().splitlines())

    def describe(self, expected, actual) -> str:
        if actual is None:
            return f"нет файла {self.path}"
        if self.as_ == "ini" and isinstance(expected, tuple) and isinstance(actual, tuple):
            differ = sorted(set(expected) ^ set(actual))
            keys = sorted({f"[{s}] {k}" for s, k, _ in differ if isinstance(s, str)})
            return f"в {self.path} настройки не те: {', '.join(keys[:4])}"
        return f"{self.title} не такой, как нужно"


@dataclass
class graph(Observer):
    """The revision graph the scripts define: each revision with its parents, and the heads."""

    title = "граф ревизий"

    def observe(self, side) -> object:
        from lessonkit.lesson.scripts import sandbox_script

        script = sandbox_script(side.sandbox)
        edges = tuple(
            sorted(
                (rev.revision, tuple(sorted(rev._all_down_revisions)))
                for rev in script.walk_revisions()
            )
        )
        return (edges, tuple(sorted(script.get_heads())))

    def describe(self, expected, actual) -> str:
        heads = ", ".join(actual[1])
        if len(actual[1]) != len(expected[1]):
            return (
                f"граф ревизий другой: голов {len(actual[1])} ({heads}), "
                f"а ожидается {len(expected[1])}"
            )
        want, have = dict(expected[0]), dict(actual[0])
        for revision in sorted(want):
            if revision not in have:
                return f"граф ревизий другой: нет ревизии {revision}"
            if have[revision] != want[revision]:
                return (
                    f"граф ревизий другой: у {revision} родители "
                    f"{', '.join(have[revision]) or 'нет'}, а ожидаются "
                    f"{', '.join(want[revision]) or 'нет'}"
                )
        extra = sorted(set(have) - set(want))
        return f"граф ревизий другой: лишние ревизии {', '.join(extra)}"


@dataclass
class alembic_check(Observer):
    """`alembic check`: do the models and the migrations agree?"""

    title = "`alembic check`"

    def observe(self, side) -> object:
        result = side.alembic("check")
        return "совпадают" if result.ok else "расходятся"

    def describe(self, expected, actual) -> str:
        should = {"совпадают": "совпадать", "расходятся": "расходиться"}.get(expected, expected)
        return f"`alembic check`: модели и миграции {actual}, а должны {should}"


@dataclass
class git_commits(Observer):
    """What the sandbox's git repository holds: the files of its last commit, and whether the
    working tree is clean (everything committed). A revision file stands as «ревизия <id>»:
    its name follows the message (`-m`), which the learner words as they like."""

    title = "git"

    def observe(self, side) -> object:
        def git(*args):
            done = subprocess.run(
                ["git", *args], cwd=side.sandbox, capture_output=True, encoding="utf-8"
            )
            return done.stdout if done.returncode == 0 else ""

        names = git("-c", "core.quotepath=off", "ls-tree", "-r", "--name-only", "HEAD")
        tracked = tuple(sorted(_committed_as(name, git) for name in names.splitlines() if name))
        if tracked and not (side.sandbox / ".git" / "index").is_file():
            # A side's copy has no index (sides.SKIPPED_PATHS): without one, git status lists
            # every tracked file as deleted, and every tree looks unclean.
            git("read-tree", "HEAD")
        clean = not git("status", "--porcelain", "--untracked-files=no").strip()
        return (tracked, clean)

    def describe(self, expected, actual) -> str:
        missing = sorted(set(expected[0]) - set(actual[0]))
        if missing:
            return (
                f"в последнем коммите нет: {', '.join(missing[:3])} — сделайте git add и "
                "git commit (в нужной ветке)"
            )
        if not actual[1]:
            return "в git остались незакоммиченные изменения"
        return "в git не то, что нужно"


REVISION_LINE = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", re.M)


def _committed_as(name: str, git) -> str:
    """A committed file as git_commits compares it: a revision by its id, others by path."""
    if "versions/" in name and name.endswith(".py"):
        found = REVISION_LINE.search(git("show", f"HEAD:{name}"))
        if found:
            return f"ревизия {found.group(1)}"
    return name


@dataclass
class statements(Observer):
    """How the migration's data statements reach the database: with bound parameters or with
    values pasted into the SQL text (`O'Brien` breaks the latter, or worse): upgrade's and
    downgrade's alike."""

    title = "SQL миграции"
    whole_run = True

    def observe(self, side) -> object:
        return tuple(sorted(set(side.data_statements)))

    def describe(self, expected, actual) -> str:
        pasted = [verb for verb, _, bound in actual if not bound]
        if pasted:
            return (
                f"значения вставлены в текст SQL ({', '.join(sorted(set(pasted)))}), а не "
                "переданы параметрами"
            )
        return "миграция выполняет не те запросы к данным, что нужны"


@dataclass
class messages(Observer):
    """Each revision's id with its message (`-m`), spaces folded: for a task that states the
    message itself. Revisions are read from the project's ini (``-c`` of the exercise)."""

    title = "сообщения ревизий"

    def observe(self, side) -> object:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        ini = side.sandbox / (side.config or "alembic.ini")
        script = ScriptDirectory.from_config(Config(str(ini)))
        return tuple(
            sorted(
                (rev.revision, " ".join((rev.doc or "").split())) for rev in script.walk_revisions()
            )
        )

    def describe(self, expected, actual) -> str:
        if not isinstance(actual, tuple):
            return f"{self.title}: история не читается"
        wrong = sorted({rev for rev, _ in actual} ^ {rev for rev, _ in expected})
        if wrong:
            return f"{self.title}: другой набор ревизий ({', '.join(wrong[:4])})"
        shown = ", ".join(f"{rev}: «{doc}»" for rev, doc in actual if (rev, doc) not in expected)
        return f"{self.title}: сообщение не то — {shown}"
