"""Databases that are a file in the sandbox: SQLite (the default) and DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

from lessonkit.databases.backends.base import Backend

SCRATCH_PREFIX = ".check-"  # hidden in the sandbox, and only while a check runs


class FileBackend(Backend):
    filename: str
    scheme: str

    @property
    def path(self) -> Path:
        return self.sandbox / self.filename

    @property
    def url(self) -> str:
        return f"{self.scheme}:///{self.path}"

    @property
    def ini_url(self) -> str:
        # %(here)s is the folder of alembic.ini: the URL works from any working directory.
        return f"{self.scheme}:///%(here)s/{self.filename}"

    @property
    def location(self) -> str:
        return f"файл {self.filename} в песочнице"

    def fingerprint(self) -> tuple:
        """The file and its journal / WAL as the file system sees them: any write changes
        them (a new table, a row, DuckDB's checkpoint when the last connection closes)."""
        marks = []
        for path in sorted(self.sandbox.glob(self.filename + "*")):
            stat = path.stat()
            marks.append((path.name, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
        return tuple(marks)

    def sibling(self, sandbox: Path, suffix: str) -> FileBackend:
        return type(self)(self.lesson, sandbox)

    def copy_from(self, other: Backend) -> None:
        self.reset()
        other.dispose()
        for path in other.sandbox.glob(other.filename + "*"):  # the file and its journal / WAL
            shutil.copy2(path, self.sandbox / (self.filename + path.name[len(other.filename) :]))

    def scratch_copy(self) -> FileBackend:
        copy = type(self)(self.lesson, self.sandbox)
        copy.filename = SCRATCH_PREFIX + self.filename
        copy.destroy()  # what an interrupted check may have left
        for path in self.sandbox.glob(self.filename + "*"):
            shutil.copy2(path, self.sandbox / (SCRATCH_PREFIX + path.name))
        return copy

    def reset(self) -> None:
        self.dispose()
        for path in self.sandbox.glob(self.filename + "*"):  # the file and its -journal / .wal
            path.unlink()

    destroy = reset


class SQLiteBackend(FileBackend):
    name = "sqlite"
    title = "SQLite"
    scheme = "sqlite"
    filename = "lesson.db"
    version_query = "SELECT 'SQLite ' || sqlite_version()"


class DuckDBBackend(FileBackend):
    name = "duckdb"
    title = "DuckDB"
    scheme = "duckdb"
    filename = "lesson.duckdb"
    version_query = "SELECT 'DuckDB ' || version()"
