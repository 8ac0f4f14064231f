"""Windows' file rules on Linux, for the tests: what an open or read-only file refuses there.

On Windows a file that a process holds open (a SQLite or DuckDB database with a connection)
cannot be deleted, renamed or replaced, and a read-only file (git's objects) cannot be deleted.
Linux allows both, so a course that forgets to close a connection or to make git's objects
writable works here and fails there. Inside ``windows_file_rules()`` the os functions that
delete and rename refuse exactly what Windows refuses; the open files of this process are read
from /proc/self/fd.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

PROC_FDS = "/proc/self/fd"


def available() -> bool:
    return os.path.isdir(PROC_FDS)


def _full_path(path, dir_fd: int | None) -> str:
    path = os.fsdecode(path)
    if dir_fd is not None and not os.path.isabs(path):
        path = os.path.join(os.readlink(f"{PROC_FDS}/{dir_fd}"), path)
    return os.path.abspath(path)


def open_files() -> set[str]:
    found = set()
    for fd in os.listdir(PROC_FDS):
        with contextlib.suppress(OSError):
            found.add(os.readlink(f"{PROC_FDS}/{fd}"))
    return found


@dataclass
class Refusals:
    """What was refused, for the test's message: (function, path, why)."""

    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def refuse(self, function: str, path: str, why: str) -> None:
        self.seen.append((function, path, why))
        raise PermissionError(errno.EACCES, f"[как в Windows] {why}", path)

    def check_delete(self, function: str, path: str) -> None:
        if not os.path.lexists(path):
            return  # the real function says FileNotFoundError itself
        mode = os.lstat(path).st_mode
        if not mode & stat.S_IWRITE:
            self.refuse(function, path, "файл только для чтения")
        if stat.S_ISDIR(mode) and path == os.getcwd():
            self.refuse(function, path, "папка — текущая папка процесса")
        if path in open_files():
            self.refuse(function, path, "файл открыт процессом")


@contextlib.contextmanager
def windows_file_rules() -> Iterator[Refusals]:
    refusals = Refusals()
    real = {name: getattr(os, name) for name in ("unlink", "remove", "rmdir", "rename", "replace")}

    def deleter(name):
        def delete(path, *, dir_fd=None):
            refusals.check_delete(name, _full_path(path, dir_fd))
            return real[name](path, dir_fd=dir_fd)

        return delete

    def mover(name):
        def move(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
            source, target = _full_path(src, src_dir_fd), _full_path(dst, dst_dir_fd)
            if source in open_files():
                refusals.refuse(name, source, "файл открыт процессом")
            if os.path.lexists(target):
                refusals.check_delete(name, target)
            return real[name](src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

        return move

    patched = {name: deleter(name) for name in ("unlink", "remove", "rmdir")}
    patched |= {name: mover(name) for name in ("rename", "replace")}
    try:
        for name, function in patched.items():
            setattr(os, name, function)
        yield refusals
    finally:
        for name, function in real.items():
            setattr(os, name, function)
