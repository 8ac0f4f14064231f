"""check.exercise(n): the learner's outcome against the course's solution, from one start.

1. **The start.** The exercise's own setup cells (from its heading to the exercise cell, the
   first of them `lesson.restore(...)`) run on a scratch copy: that is the state the learner
   started the exercise from. Its database then gets adversarial rows (databases/seed.py).
2. **The oracle.** The collapsed solution runs on another copy of the start; its files and the
   revision its database reached are the expected outcome.
3. **Both sides the same way.** The start's database with the solution's files (A), and with
   the learner's files (B), are each taken to their revision, rolled back to where the
   exercise began, and taken forward again. At each step the schema (by content), the data,
   the revision and any observer the exercise names are compared between A and B.
4. **The learner's own database** must be what their files give (applied, not stamped or made
   by hand), and nothing may be left unsolved: a sandbox still as it started is ❌ at once.

The start and the oracle are kept for the kernel's life (per lesson, exercise, database and
checkpoint), so a second answer costs only side B. Nothing of the learner's is written.
"""

from __future__ import annotations

import contextlib
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from lessonkit.checks.oracle.compare import (
    BIG_TABLE,
    TableData,
    comparable,
    data_differences,
    schema_differences,
)
from lessonkit.checks.oracle.observers import Observer
from lessonkit.checks.oracle.sides import Side, acting_as, files_digest
from lessonkit.checks.oracle.spec import ExerciseSpec, exercise_spec
from lessonkit.checks.predictions import AUTHOR_MISTAKE
from lessonkit.checks.verdict import Verdict
from lessonkit.core.errors import CourseError
from lessonkit.core.shell import get_shell
from lessonkit.databases.schema import Schema, read_schema
from lessonkit.databases.schema.model import VERSION_TABLE
from lessonkit.databases.seed import seed_database
from lessonkit.lesson import checkpoints
from lessonkit.lesson.quiet import forget_errors, run_quietly
from lessonkit.lesson.state import Lesson, lesson_to_change

# What reading a learner's revision scripts may raise: a parent or target that no file holds
# (RevisionError, KeyError), a file without `revision =` (AttributeError).
SCRIPT_ERRORS = (CourseError, CommandError, RevisionError, KeyError, AttributeError)

REAPPLY = "исправленная ревизия не применяется заново (её downgrade, потом upgrade)"
STEPS = {
    "final": "после upgrade",
    "down": "после отката (downgrade)",
    "again": "после повторного upgrade",
}


@dataclass(frozen=True)
class Options:
    names: frozenset[str] = frozenset()  # constraint/index names the task states
    version: bool = True  # the revision the database ends on must be the solution's
    data: bool = True
    seed: bool = True
    seed_avoid: frozenset[str] = frozenset()  # ENUM values the seeded rows must not hold
    round_trip: bool = True
    down_to: str | None = None  # where the round trip rolls back to; None: where it began
    observe: tuple[Observer, ...] = ()
    config: str | None = None  # -c <ini> of the exercise's project
    apply: str = "upgrade"  # "stamp": the exercise adopts a database with stamp
    reapply: bool = False  # a revision already applied is fixed and applied again

    def key(self) -> tuple:
        return (
            self.names,
            self.version,
            self.data,
            self.seed,
            self.seed_avoid,
            self.round_trip,
            self.down_to,
            tuple(repr(o) for o in self.observe),
            self.config,
            self.apply,
            self.reapply,
        )


@dataclass
class Observation:
    failed: str | None = None  # the error line of a command that failed
    schema: Schema | None = None
    data: dict[str, TableData] | None = None
    version: tuple[str, ...] = ()
    observed: dict[int, object] = field(default_factory=dict)  # observers read at every step


@dataclass
class Outcome:
    """What one side showed: per step, and the observers' values on the final state."""

    steps: dict[str, Observation] = field(default_factory=dict)
    observed: dict[int, object] = field(default_factory=dict)


@dataclass
class Start:
    """The state the exercise starts from, on a scratch copy (its database seeded)."""

    side: Side
    schema: Schema  # before the seed: what the learner's own database looked like
    files: dict[str, str]

    @property
    def version(self) -> tuple[str, ...]:
        return self.schema.version or ()


@dataclass
class Oracle:
    start: Start
    _expected: tuple | None = None  # (solution commands, Outcome), built on first need

    def expected(self, lesson: Lesson, spec: ExerciseSpec, options: Options):
        if self._expected is None:
            self._expected = _run_solution(lesson, spec, options, self.start)
        return self._expected


_oracles: dict[tuple, Oracle] = {}


class OracleBroken(Exception):
    """The course's own solution or setup failed on the copy: an author's mistake."""


# -- the public check -----------------------------------------------------------------------------


def exercise(
    number: int,
    *,
    names: list[str] | tuple[str, ...] = (),
    version: bool = True,
    data: bool = True,
    seed: bool = True,
    seed_avoid: list[str] | tuple[str, ...] = (),
    round_trip: bool = True,
    down_to: str | None = None,
    observe: list[Observer] | tuple[Observer, ...] = (),
    config: str | None = None,
    apply: str = "upgrade",
    reapply: bool = False,
) -> Verdict:
    """✅ when the learner's outcome is the solution's, ❌ with what differs otherwise.

    names: constraint and index names the task itself states (others are compared by content).
    version: the database must end on the solution's revision(s).
    data / seed: compare the rows too; put adversarial rows in first.
    seed_avoid: ENUM values no seeded row may hold — a value the exercise removes from its
    type (no row may hold it when the type is rebuilt without it, the task says so).
    round_trip / down_to: roll back (to the revision the exercise began on, or ``down_to``)
    and forward again, comparing each step.
    observe: more aspects to compare (check.output, check.log_levels, check.file_text, …).
    config: the project's ini when it is not alembic.ini; apply="stamp" for adopting a database.
    reapply: the exercise fixes a revision the database is already on and applies it again
    (downgrade, edit, upgrade): each side's files take the start one step back and up again,
    so a file edited but never re-applied no longer looks done.
    """
    lesson = lesson_to_change()
    options = Options(
        frozenset(names),
        version,
        data,
        seed,
        frozenset(seed_avoid),
        round_trip,
        down_to,
        tuple(observe),
        config,
        apply,
        reapply,
    )
    spec = exercise_spec(lesson.name, number)
    with _quiet_warnings():
        try:
            oracle = _oracle(lesson, spec, options)
        except OracleBroken as exc:
            return Verdict(
                False, f"{AUTHOR_MISTAKE}: {exc}", "это ошибка курса, не ваша: сообщите авторам."
            )
        return _judge(lesson, spec, options, oracle)


@contextlib.contextmanager
def _quiet_warnings() -> Iterator[None]:
    """Alembic's and SQLAlchemy's English warnings about the copies say nothing to a learner."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _judge(lesson: Lesson, spec: ExerciseSpec, options: Options, oracle: Oracle) -> Verdict:
    label = spec.label.capitalize()
    version = _version(lesson)
    schema_now = _read_schema_or_none(lesson)
    start = oracle.start
    unchanged = files_digest(lesson.sandbox) == start.files and schema_now == start.schema
    if unchanged and not any(o.reads_variables for o in options.observe):
        return Verdict(
            False,
            f"{label}: пока ничего не сделано — файлы песочницы и база такие же, как в начале "
            "задания.",
            "выполните задание в ячейке под ним, потом снова эту проверку.",
        )
    try:
        solution_commands, expected = oracle.expected(lesson, spec, options)
    except OracleBroken as exc:
        return Verdict(
            False, f"{AUTHOR_MISTAKE}: {exc}", "это ошибка курса, не ваша: сообщите авторам."
        )
    learner = Side(lesson, spec.number, "b", options.config)
    learner.load(lesson, start.side)
    learner.variables = dict(get_shell().user_ns)
    outcome = _outcome(learner, start.version, version, options, start)
    problems = _differences(expected, outcome, options)
    if not problems:
        problems = _own_database_problems(lesson, outcome, schema_now, options)
    if not problems and "stamp" not in solution_commands:
        problems = _stamp_problems(lesson)
    if problems:
        shown = "\n".join(f"• {p}" for p in problems[:5])
        more = f"\n• …и ещё {len(problems) - 5}" if len(problems) > 5 else ""
        return Verdict(
            False,
            f"{label}: результат не совпадает с ожидаемым.\n{shown}{more}",
            "проверка сравнила ваш результат с решением курса на копиях базы с одинаковыми "
            "данными (ваша база не изменилась). Исправьте и выполните проверку снова; начать "
            "задание заново — первая ячейка задания.",
        )
    checked = "схема, данные и ревизия" if options.data else "схема и ревизия"
    # Only what was done: a task that changes no revision has nothing to roll back.
    trip = ", откат и повторный upgrade" if "down" in expected.steps else ""
    extra = "".join(f", {o.title}" for o in options.observe)
    return Verdict(
        True,
        f"{label}: {checked}{trip}{extra} совпали с решением курса (проверено на копии базы "
        "с дополнительными строками данных).",
    )


# -- the oracle: the start and the solution -------------------------------------------------------


def _oracle(lesson: Lesson, spec: ExerciseSpec, options: Options) -> Oracle:
    stamp = checkpoints.stamp(lesson, "задания")
    key = (
        lesson.name,
        spec.number,
        lesson.backend.name,
        lesson.backend.url,
        stamp,
        options.key(),
        spec,
    )
    if key not in _oracles:
        _oracles.clear()  # one exercise at a time: the copies on disk are reused
        _oracles[key] = _build_oracle(lesson, spec, options)
    return _oracles[key]


def _build_oracle(lesson: Lesson, spec: ExerciseSpec, options: Options) -> Oracle:
    side = Side(lesson, spec.number, "s", options.config)
    side.clear()
    failed_on_purpose = False
    with acting_as(side):
        for cell in spec.setup:
            done = run_quietly(cell.source)
            if not done.ok and not cell.fails_on_purpose:
                raise OracleBroken(
                    f"ячейка задания {spec.number} завершилась с ошибкой на копии: {done.error}"
                )
            failed_on_purpose |= not done.ok
    forget_errors(collect=failed_on_purpose)
    schema = read_schema(side.backend.engine)
    files = files_digest(side.sandbox)
    if options.seed:
        seed_database(side.backend.engine, avoid=options.seed_avoid)
    side.backend.dispose()
    return Oracle(Start(side, schema, files))


def _run_solution(lesson: Lesson, spec: ExerciseSpec, options: Options, start: Start):
    """The course's solution on a copy of the start: its files and revision; then the same
    procedure as the learner's side gets, on the start's seeded database."""
    solution = Side(lesson, spec.number, "o", options.config)
    solution.load(start.side, start.side)
    with acting_as(solution):
        done = run_quietly(spec.solution)
    forget_errors(collect=not done.ok)
    if not done.ok:
        raise OracleBroken(
            f"решение задания {spec.number} завершилось с ошибкой на копии: {done.error}"
        )
    commands = frozenset(r.argv[0] for r in solution.lesson.history if r.argv)
    expected_side = Side(lesson, spec.number, "a", options.config)
    expected_side.load(solution, start.side)
    expected_side.variables = solution.variables
    expected = _outcome(expected_side, start.version, _version(solution.lesson), options, start)
    if expected.steps["final"].failed:
        raise OracleBroken(
            f"решение задания {spec.number} на копии с данными: {expected.steps['final'].failed}"
        )
    return commands, expected


# -- one side: go to its revision, back, forward ---------------------------------------------------


def _reapplies(side: Side, target: tuple[str, ...], start: Start) -> bool:
    """Whether a target revision the start applied now has other text (an applied revision
    fixed in place, its file maybe renamed): the side's database must then be what the
    changed file gives, so the final step takes it back with the side's own downgrade() and
    applies it again. A revision no file held at the start (a squash given back the id the
    database is on) applied nothing then: nothing to apply again."""
    now = files_digest(side.sandbox)
    before = _revision_files(start.side.sandbox, target)
    return any(
        revision in before and start.files.get(before[revision]) != now.get(relative)
        for revision, relative in _revision_files(side.sandbox, target).items()
    )


def _revision_files(sandbox: Path, revisions: tuple[str, ...]) -> dict[str, str]:
    """The file (relative to the sandbox) of each of ``revisions`` that the scripts hold."""
    from lessonkit.lesson.scripts import sandbox_script

    found, root = {}, sandbox.resolve()
    try:
        script = sandbox_script(sandbox)
        for revision in revisions:
            path = Path(script.get_revision(revision).path).resolve()
            # A folder outside the copy (an absolute path in the ini) is nobody's fix.
            if path.is_relative_to(root):
                found[revision] = path.relative_to(root).as_posix()
    except SCRIPT_ERRORS:
        pass
    return found


def _outcome(
    side: Side,
    began: tuple[str, ...],
    target: tuple[str, ...],
    options: Options,
    start: Start | None = None,
) -> Outcome:
    outcome = Outcome()
    side.data_statements = []
    via = None
    same = target and sorted(began) == sorted(target) and options.apply != "stamp"
    if same and (options.reapply or (start is not None and _reapplies(side, target, start))):
        via = _parents(side, target)  # down with the side's own downgrade(), then up again
    with _recording_statements(side):
        outcome.steps["final"] = _step(side, began, target, options, via)
        _observe(side, options, outcome, whole_run=False)
        _round_trip(side, began, target, options, outcome)
    # Observers of the whole run (the data statements of upgrade *and* downgrade) come last.
    _observe(side, options, outcome, whole_run=True)
    return outcome


def _observe(side: Side, options: Options, outcome: Outcome, whole_run: bool) -> None:
    for index, observer in enumerate(options.observe):
        if getattr(observer, "each_step", False):
            continue  # read and compared with each step
        if getattr(observer, "whole_run", False) != whole_run:
            continue
        try:
            outcome.observed[index] = observer.observe(side)
        except (CourseError, CommandError, RevisionError, SQLAlchemyError, OSError) as exc:
            outcome.observed[index] = ("ошибка", str(exc).splitlines()[0] if str(exc) else "")


def _round_trip(
    side: Side, began: tuple[str, ...], target: tuple[str, ...], options: Options, outcome: Outcome
) -> None:
    if options.round_trip and outcome.steps["final"].failed is None:
        if options.down_to is not None:
            back = _as_version(options.down_to)
        elif tuple(sorted(began)) != tuple(sorted(target)):
            back = began  # where the exercise began
        else:  # a fix of a revision already applied: one step back from it
            back = _parents(side, target)
        if back != target:
            outcome.steps["down"] = _step(side, target, back, options)
            if outcome.steps["down"].failed is None:
                outcome.steps["again"] = _step(side, back, target, options)


def _as_version(revision: str) -> tuple[str, ...]:
    return () if revision == "base" else (revision,)


def _step(
    side: Side,
    current: tuple[str, ...],
    target: tuple[str, ...],
    options: Options,
    via: tuple[str, ...] | None = None,
) -> Observation:
    if via is not None and via != target:  # an applied revision fixed in place
        failed = _go(side, current, via, options) or _go(side, via, target, options)
        if failed:
            failed = f"{REAPPLY}: {failed}"
    else:
        failed = _go(side, current, target, options)
    observation = Observation(failed=failed)
    try:
        observation.schema = read_schema(side.backend.engine)
        observation.version = observation.schema.version or ()
        if options.data:
            observation.data = _table_data(side.backend.engine, observation.schema)
    except SQLAlchemyError as exc:
        observation.failed = observation.failed or _first_line(exc)
    finally:
        side.backend.dispose()
    for index, observer in enumerate(options.observe):
        if getattr(observer, "each_step", False):  # e.g. a VIEW the schema does not hold
            observation.observed[index] = observer.observe(side)
    return observation


def _go(
    side: Side, current: tuple[str, ...], target: tuple[str, ...], options: Options
) -> str | None:
    """Take the side's database from ``current`` to ``target`` the way the exercise does:
    upgrade or downgrade (or stamp); returns the failing command's error line, or None."""
    if tuple(sorted(current)) == tuple(sorted(target)):
        return None
    if options.apply == "stamp":
        commands = [("stamp", *(target or ("base",)))]
    elif not target:
        commands = [("downgrade", "base")]
    else:
        below = _ancestors(side, current)
        commands = [("downgrade" if rev in below else "upgrade", rev) for rev in target]
    for command in commands:
        result = side.alembic(*command)
        if not result.ok:
            return (
                f"`alembic {' '.join(command)}` завершился с ошибкой: {_error_line(result.output)}"
            )
    return None


def _parents(side: Side, revisions: tuple[str, ...]) -> tuple[str, ...]:
    from lessonkit.lesson.scripts import sandbox_script

    try:
        script = sandbox_script(side.sandbox)
        found = set()
        for revision in revisions:
            down = script.get_revision(revision).down_revision
            found |= set(down) if isinstance(down, tuple | list) else {down} if down else set()
        return tuple(sorted(found))
    except SCRIPT_ERRORS:
        return revisions


def _ancestors(side: Side, revisions: tuple[str, ...]) -> set[str]:
    """Revisions below ``revisions`` (they themselves excluded): a target among them is a
    downgrade."""
    from lessonkit.lesson.scripts import sandbox_script

    if not revisions:
        return set()
    try:
        script = sandbox_script(side.sandbox)
        found = set()
        for revision in revisions:
            for item in script.iterate_revisions(revision, "base"):
                if item.revision != revision:
                    found.add(item.revision)
        return found
    except SCRIPT_ERRORS:
        return set()


@contextlib.contextmanager
def _recording_statements(side: Side) -> Iterator[None]:
    """INSERT/UPDATE/DELETE the side's migration sends, and whether with bound parameters."""

    def record(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = _table_of(statement)
            if table == VERSION_TABLE:  # Alembic's own bookkeeping, the same on every side
                return
            bound = bool(parameters) and parameters not in ({}, (), [])
            side.data_statements.append((verb, table, bound))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _table_of(statement: str) -> str:
    words = statement.replace('"', " ").split()
    for keyword in ("INTO", "UPDATE", "FROM"):
        upper = [w.upper() for w in words]
        if keyword in upper and upper.index(keyword) + 1 < len(words):
            return words[upper.index(keyword) + 1].lower()
    return ""


def _table_data(engine: sa.Engine, schema: Schema) -> dict[str, TableData]:
    tables = [t for t in schema.tables() if t != VERSION_TABLE]
    found = {}
    with engine.connect() as conn:
        for table in tables:
            quoted = conn.dialect.identifier_preparer.quote(table)
            count = conn.execute(sa.text(f"SELECT count(*) FROM {quoted}")).scalar()
            if count > BIG_TABLE:
                found[table] = TableData((), None, count)
                continue
            result = conn.execute(sa.text(f"SELECT * FROM {quoted}"))
            columns = tuple(result.keys())
            rows = [tuple(comparable(v) for v in row) for row in result]
            order = sorted(range(len(columns)), key=lambda i: columns[i])  # column order aside
            found[table] = TableData(
                tuple(columns[i] for i in order),
                Counter(tuple(row[i] for i in order) for row in rows),
                count,
            )
    return found


# -- comparing ------------------------------------------------------------------------------------


def _differences(expected: Outcome, actual: Outcome, options: Options) -> list[str]:
    for step in STEPS:
        want, have = expected.steps.get(step), actual.steps.get(step)
        if want is None and have is None:
            continue
        where = STEPS[step]
        if have is None:  # the learner's side stopped earlier: the step before failed
            continue
        if want is None:
            continue
        if have.failed and not want.failed:
            return [f"{where}: {have.failed}"]
        if want.failed and not have.failed:
            return [f"{where}: команда должна была завершиться ошибкой, а прошла"]
        problems = []
        if options.version and have.version != want.version:
            problems.append(
                f"{where}: база на ревизии {_rev(have.version)}, а ожидается {_rev(want.version)}"
            )
        if have.schema is not None and want.schema is not None:
            problems += [
                f"{where}: {p}" for p in schema_differences(want.schema, have.schema, options.names)
            ]
        if options.data and have.data is not None and want.data is not None:
            problems += [f"{where}: {p}" for p in data_differences(want.data, have.data)]
        for index, observer in enumerate(options.observe):
            if have.observed.get(index) != want.observed.get(index):
                text = _describe(observer, want.observed.get(index), have.observed.get(index))
                problems.append(f"{where}: {text}")
        if problems:
            return problems
        if step == "final":
            problems = _observer_differences(expected, actual, options, whole_run=False)
            if problems:
                return problems
    return _observer_differences(expected, actual, options, whole_run=True)


def _describe(observer: Observer, expected: object, actual: object) -> str:
    """The observer's own words, unless one side could not be observed at all (its value is
    the error the observer met): describe() reads values, not errors."""
    for value, whose in ((actual, "у вас"), (expected, "у решения курса")):
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "ошибка":
            return f"{observer.title}: {whose} не получилось — {value[1]}"
    return observer.describe(expected, actual)


def _observer_differences(
    expected: Outcome, actual: Outcome, options: Options, whole_run: bool
) -> list[str]:
    problems = []
    for index, observer in enumerate(options.observe):
        if getattr(observer, "each_step", False):
            continue  # read and compared with each step
        if getattr(observer, "whole_run", False) != whole_run:
            continue
        if actual.observed.get(index) != expected.observed.get(index):
            problems.append(
                _describe(observer, expected.observed.get(index), actual.observed.get(index))
            )
    return problems


def _own_database_problems(
    lesson: Lesson, outcome: Outcome, schema_now: Schema | None, options: Options
) -> list[str]:
    """The learner's database must be what their files give: a revision stamped instead of
    applied, a file edited after it ran, a table made by hand all show up here."""
    final = outcome.steps["final"].schema
    if schema_now is None or final is None:
        return []
    if (schema_now.version or ()) != (final.version or ()):
        return [
            f"ваша база на ревизии {_rev(schema_now.version or ())}, а ваши файлы ведут к "
            f"{_rev(final.version or ())}: выполните нужную команду %alembic"
        ]
    differ = schema_differences(final, schema_now, options.names)
    if differ:
        return [
            "ваша база не совпадает с тем, что дают ваши файлы ревизий (файл изменён после "
            "применения, stamp вместо upgrade или изменения вручную?): " + "; ".join(differ[:3])
        ]
    if options.reapply and not _applied_again(lesson):
        # A fix of the rows a revision writes leaves the schema as it was: only the commands
        # run since the exercise began tell whether the fixed revision ran at all.
        return [
            "исправленная ревизия не применена заново: откатите её (%alembic downgrade) и "
            "примените снова (%alembic upgrade)"
        ]
    return []


def _commands_since_start(lesson: Lesson) -> list[str]:
    """The Alembic commands that went through since the exercise began, in order."""
    return [r.argv[0] for r in lesson.history[lesson.history_mark :] if r.ok and r.argv]


def _applied_again(lesson: Lesson) -> bool:
    """Since the exercise began: a downgrade that went through, then an upgrade."""
    commands = _commands_since_start(lesson)
    return "downgrade" in commands and "upgrade" in commands[commands.index("downgrade") + 1 :]


def _stamp_problems(lesson: Lesson) -> list[str]:
    """`stamp` where the solution applies: the schema then came from somewhere else."""
    if "stamp" in _commands_since_start(lesson):
        return ["ревизию нужно применить (upgrade), а не отметить командой stamp"]
    return []


def _version(lesson: Lesson) -> tuple[str, ...]:
    schema = _read_schema_or_none(lesson)
    return (schema.version or ()) if schema is not None else ()


def _read_schema_or_none(lesson: Lesson) -> Schema | None:
    try:
        return lesson.snapshot()
    except SQLAlchemyError:
        return None


def _rev(version: tuple[str, ...]) -> str:
    return ", ".join(version) or "base (ни одной)"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _error_line(output: str) -> str:
    from lessonkit.checks.migrations import _error_line as error_line

    return error_line(output)
