"""Run the real Alembic command line inside the kernel and capture what a terminal would show.

In-process is about 20× faster than ``!alembic`` (no interpreter start, no re-import of
SQLAlchemy; figures in the README). Three things make it behave like a fresh terminal run:

* output: Alembic prints through ``Config.stdout`` (bound to the real stdout when alembic was
  imported), ``sys.stdout`` (``FAILED: ...``) and logging (INFO lines on stderr). All three go to
  one buffer, in the order a terminal would show them;
* warnings: a terminal run is a new process, so each warning is printed (once) every time;
  in a kernel Python would print it only the first time. Each run gets the filters a new
  interpreter starts with (DeprecationWarning from libraries hidden), plus PYTHONWARNINGS;
* state: env.py calls ``fileConfig`` (replacing the kernel's logging setup) and Alembic extends
  ``sys.path``; both are put back afterwards;
* imports: modules loaded from a sandbox (``models.py``) are dropped from ``sys.modules`` and
  import caches are cleared before each run, so an edited model is seen by the next
  ``revision --autogenerate``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.config import CommandLine, Config

from lessonkit.core.paths import WORK_DIR, shorten_paths

# A terminal prints the whole traceback here; the lesson keeps it in lesson.last.traceback.
SHORT_TRACEBACK = "Traceback (most recent call last): … (полностью — в lesson.last.traceback)"


class TerminalBuffer(io.StringIO):
    """Where a command's output goes. Alembic encodes what it prints with the stream's
    ``encoding`` (falling back to ASCII, so «Добавить» would print as «????????»); a terminal
    says utf-8, and so does this buffer."""

    encoding = "utf-8"


@dataclass
class CommandResult:
    argv: list[str]
    output: str
    exit_code: int  # as a shell would report it: 0 success, 255 for Alembic's FAILED, 2 usage
    error: BaseException | None = None  # an exception Alembic did not turn into FAILED: ...
    traceback: str = ""
    interrupted: bool = False  # Kernel → Interrupt (Ctrl+C in a terminal) stopped it

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@cache
def _command_line() -> CommandLine:
    return CommandLine(prog="alembic")


def command_names() -> list[str]:
    """Every subcommand the installed Alembic knows (upgrade, downgrade, ...)."""
    parser = _command_line().parser
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


def parse_args(argv: list[str]):
    """argparse's reading of the arguments, or None when it would exit with a usage error."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            return _command_line().parser.parse_args(argv)
    except SystemExit:
        return None


def command_name(argv: list[str]) -> str | None:
    """The Alembic subcommand the arguments name (upgrade, revision, ...), if they parse."""
    options = parse_args(argv)
    cmd = getattr(options, "cmd", None)
    return cmd[0].__name__ if cmd else None


def run_alembic(argv: list[str], cwd: Path) -> CommandResult:
    """Run ``alembic <argv>`` in ``cwd`` in this process; never raises for Alembic's errors."""
    buffer = TerminalBuffer()
    exit_code, error, trace, interrupted = 0, None, "", False
    with _terminal_like(cwd, buffer):
        try:
            _main(argv, buffer)
        except SystemExit as exc:  # argparse (2) and Alembic's util.err (-1) exit this way
            exit_code = _shell_exit_code(exc.code)
        except Exception as exc:  # the CLI would print a traceback and exit with 1
            exit_code, error, trace = 1, exc, traceback.format_exc()
            interrupted = _caused_by_interrupt(exc)
            if interrupted:
                exit_code = 130
            else:
                buffer.write(f"{SHORT_TRACEBACK}\n" + "".join(traceback.format_exception_only(exc)))
        except KeyboardInterrupt as exc:  # a shell reports 130 (128 + SIGINT)
            exit_code, error, trace, interrupted = 130, exc, traceback.format_exc(), True
    return CommandResult(
        argv,
        shorten_paths(buffer.getvalue()),
        exit_code,
        error,
        shorten_paths(trace),
        interrupted=interrupted,
    )


def _caused_by_interrupt(exc: BaseException) -> bool:
    """An error raised while cleaning up after Kernel → Interrupt: SQLAlchemy's
    PendingRollbackError when autocommit_block() restores the connection that the interrupt
    invalidated (lesson 19.3). The press is what happened, not the error after it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _main(argv: list[str], stdout: TerminalBuffer) -> None:
    """alembic.config.CommandLine.main, with the output buffer handed to Config."""
    cli = _command_line()
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    toml, ini = cli._inis_from_config(options)
    config = Config(
        file_=ini, toml_file=toml, ini_section=options.name, cmd_opts=options, stdout=stdout
    )
    cli.run_cmd(config, options)


def _shell_exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF  # sys.exit(-1) is 255 in a shell
    print(code, file=sys.stderr)  # sys.exit("message") prints the message, exit status 1
    return 1


@contextlib.contextmanager
def _terminal_like(cwd: Path, buffer: TerminalBuffer) -> Iterator[None]:
    try:
        saved_cwd = os.getcwd()
    except FileNotFoundError:  # the folder the kernel stood in was deleted
        saved_cwd = str(WORK_DIR)
    saved_path, saved_bytecode = list(sys.path), sys.dont_write_bytecode
    # Any sandbox's modules: `models` of the previous lesson in this kernel must not answer
    # for this sandbox's `from models import Base`.
    _forget_modules_from(WORK_DIR)
    # The finder for "." (prepend_sys_path) caches a folder listing keyed by the folder's
    # mtime: after a chdir to another sandbox created in the same second, or a models.py
    # written a moment ago, it would not see the file.
    importlib.invalidate_caches()
    sys.dont_write_bytecode = True  # no __pycache__ in the sandbox tree the lesson shows
    try:
        os.chdir(cwd)
        with (
            _restored_logging(),
            warnings.catch_warnings(),
            contextlib.redirect_stdout(buffer),
            contextlib.redirect_stderr(buffer),
        ):
            # Changing the filters invalidates the "already shown" registries.
            _new_process_filters()
            warnings.showwarning = _print_warning  # to the buffer, even under pytest's recorder
            yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.dont_write_bytecode = saved_bytecode


# What `python -c "import warnings; print(warnings.filters)"` lists with no -W options.
STARTUP_FILTERS = [
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
]


def _new_process_filters() -> None:
    """The warning filters of a fresh `alembic` process, PYTHONWARNINGS included: the kernel's
    own filters (IPython shows every DeprecationWarning) must not leak into the output."""
    warnings.resetwarnings()
    for action, category, module in reversed(STARTUP_FILTERS):
        warnings.filterwarnings(action, category=category, module=module)
    options = [o for o in os.environ.get("PYTHONWARNINGS", "").split(",") if o.strip()]
    for option in options:  # -W syntax action:message:category:module:lineno, as Python reads it
        try:
            warnings._setoption(option)
        except warnings._OptionError as exc:
            print(f"Invalid -W option ignored: {exc}", file=sys.stderr)


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _forget_modules_from(folder: Path) -> None:
    root = str(folder.resolve()) + os.sep
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and os.path.abspath(file).startswith(root):
            del sys.modules[name]


@contextlib.contextmanager
def _restored_logging() -> Iterator[None]:
    """env.py's fileConfig() rewires logging for the whole process; undo it afterwards."""
    manager = logging.Logger.manager
    root = logging.getLogger()

    def state(logger: logging.Logger):
        return logger.level, list(logger.handlers), logger.propagate, logger.disabled

    saved_root = state(root)
    saved = {
        name: state(lg) for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, logger in list(manager.loggerDict.items()):
            if not isinstance(logger, logging.Logger):
                continue
            level, handlers, propagate, disabled = saved.get(
                name, (logging.NOTSET, [], True, False)
            )
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled
