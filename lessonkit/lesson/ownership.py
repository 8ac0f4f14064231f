"""One kernel per lesson sandbox.

Two kernels in one sandbox (a duplicated notebook, a second browser tab, an instructor and a
copy) delete each other's files and reset each other's database. The kernel that runs
start_lesson() records itself as the sandbox's owner in work/.owners/<lesson>.json; another
live kernel is refused before anything is touched, and a kernel whose sandbox was taken over
(start_lesson(..., take_over=True)) is refused at its next command. A dead owner (closed tab,
restarted or killed kernel) does not count: its process is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import fasteners
import psutil

from lessonkit.core.errors import LessonNotStarted, SandboxBusy, SandboxTakenOver
from lessonkit.core.paths import WORK_DIR

OWNERS_DIR = WORK_DIR / ".owners"


@dataclass(frozen=True)
class Owner:
    pid: int
    started: float  # the process's start time: a reused pid is another process
    since: str  # when it took the sandbox, for the message

    @classmethod
    def me(cls) -> Owner:
        return cls(os.getpid(), _start_time(os.getpid()), time.strftime("%H:%M"))

    def is_me(self) -> bool:
        return self.pid == os.getpid() and self.started == _start_time(self.pid)

    def alive(self) -> bool:
        return self.started == _start_time(self.pid)


def _start_time(pid: int) -> float:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return -1.0


def _record(lesson: str) -> Path:
    return OWNERS_DIR / f"{lesson}.json"


def _read(lesson: str) -> Owner | None:
    try:
        return Owner(**json.loads(_record(lesson).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    """Serialise read-modify-write of the records between processes."""
    OWNERS_DIR.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(OWNERS_DIR / ".lock"):  # flock on POSIX, LockFileEx on Windows
        yield


def claim(lesson: str, take_over: bool = False) -> Owner | None:
    """Make this process the owner of ``lesson``'s sandbox, or raise SandboxBusy. Returns the
    live kernel it was taken from (take_over=True), None when there was none."""
    with _exclusive():
        owner = _read(lesson)
        other = owner if owner is not None and owner.alive() and not owner.is_me() else None
        if other is not None and not take_over:
            raise SandboxBusy(
                f"с песочницей урока {lesson} уже работает другое ядро (процесс {owner.pid}, "
                f"с {owner.since}): урок открыт во второй вкладке, в копии ноутбука или у "
                "инструктора. Два ядра в одной песочнице портят друг другу файлы и базу, "
                "поэтому это ядро ничего не тронуло.",
                hint="закройте лишнюю вкладку или остановите её ядро («Ядро → Завершить "
                "работу ядра»), затем повторите эту ячейку. Забрать песочницу в это ядро: "
                f'`start_lesson("{lesson}", ..., take_over=True)` — другое ядро получит '
                "сообщение при следующей команде.",
            )
        _record(lesson).write_text(json.dumps(asdict(Owner.me())), encoding="utf-8")
    return other


def release(lesson: str) -> None:
    """Give the sandbox up (the kernel moves to another lesson)."""
    with _exclusive():
        owner = _read(lesson)
        if owner is not None and owner.is_me():
            _record(lesson).unlink(missing_ok=True)


def ensure_owner(lesson: str) -> None:
    """Raise SandboxTakenOver unless this process still owns ``lesson``'s sandbox."""
    owner = _read(lesson)
    if owner is not None and owner.is_me():
        return
    if owner is None:  # work/ was deleted under the kernel (make clean)
        raise LessonNotStarted(
            f"песочницы урока {lesson} больше нет: папку work/ удалили "
            "(например, `python course.py clean`).",
            hint="выполните первую ячейку урока — она создаст песочницу заново.",
        )
    raise SandboxTakenOver(
        f"песочницу урока {lesson} забрало другое ядро (процесс {owner.pid}, с "
        f"{owner.since}): в нём выполнили "
        "start_lesson(..., take_over=True). Чтобы не испортить чужую работу, это ядро "
        "её больше не трогает.",
        hint="продолжайте в том ядре. Вернуть урок сюда: выполните первую ячейку этого "
        "ноутбука с `take_over=True`.",
    )
