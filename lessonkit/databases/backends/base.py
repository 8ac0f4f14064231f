"""What every lesson database offers, whichever engine is behind it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa


class Backend(ABC):
    name: str  # the value of start_lesson(db=...) and of COURSE_DB
    title: str  # how lessons call it

    def __init__(self, lesson: str, sandbox: Path):
        self.lesson = lesson
        self.sandbox = sandbox

    @property
    @abstractmethod
    def url(self) -> str:
        """SQLAlchemy URL of the lesson database, usable from any working directory."""

    @property
    @abstractmethod
    def ini_url(self) -> str:
        """The same database as it is written into the sandbox's alembic.ini."""

    def keep_copy(self, tag: str) -> None:
        """Keep a copy of the database as ``tag`` (a checkpoint of the lesson). A file database
        needs none here: it is copied with the sandbox's files."""
        return None

    def bring_back_copy(self, tag: str) -> None:
        """Make the database again what ``keep_copy(tag)`` kept."""
        return None

    def forget_copies(self) -> None:
        """Drop every copy keep_copy() made (a reset of the lesson)."""
        return None

    def ensure_resettable(self) -> None:
        """Raise UnsafeReset if reset() would have to refuse; called before the sandbox is
        touched, so a refused reset loses nothing. Files in the sandbox are always ours."""
        return None

    @abstractmethod
    def reset(self) -> None:
        """Make the lesson database empty. Called after the sandbox folder was recreated."""

    @abstractmethod
    def destroy(self) -> None:
        """Remove the lesson database altogether (used for throw-away probes)."""

    @abstractmethod
    def sibling(self, sandbox: Path, suffix: str) -> Backend:
        """A database of the same kind for a scratch copy of the lesson (an exercise check's
        starting point, the course's solution, the learner's answer): its own file in
        ``sandbox``, or its own database on the server, named after this one."""

    @abstractmethod
    def copy_from(self, other: Backend) -> None:
        """Make this database a copy of ``other`` (a sibling): nobody may be connected."""

    @abstractmethod
    def scratch_copy(self) -> Backend:
        """A copy of the lesson database, as a backend of its own, for an exercise check to try
        a migration on without touching the learner's database; its destroy() removes it."""

    def fingerprint(self) -> tuple | None:
        """Something that changes whenever the database is written to, or None when that
        cannot be known cheaply (a server). Lets a lesson reuse its last schema snapshot."""
        return None

    def notices(self) -> list[str]:
        """What the learner should know about this database beyond the usual (a server that
        had to be started anew), once; Russian sentences."""
        return []

    @property
    def location(self) -> str:
        """Where the data lives, in words a learner understands."""
        return self.url

    @cached_property
    def engine(self) -> sa.Engine:
        # NullPool: no connection stays open between cells, so nothing blocks a reset,
        # a DROP DATABASE or another process (a terminal `alembic`) using the same file.
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
            del self.__dict__["engine"]

    def server_version(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql(self.version_query).scalar())

    version_query = "SELECT version()"


def ini_escape(value: str) -> str:
    """alembic.ini is read by configparser: a literal % must be doubled."""
    return value.replace("%", "%%")
