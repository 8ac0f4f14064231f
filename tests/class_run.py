"""A class at work on a real JupyterHub (tools/classroom.py): each learner logs in, starts a
server, opens the class link (nbgitpuller pulls the course into their home), then runs lesson 02
on SQLite and lesson 14.1 on PostgreSQL at once, with the collapsed solutions in the exercise
cells — all learners at the same time. Then the isolation probes, then every notebook closed.

tests/test_hub.py asserts on what this returns; bench/hub_bench.py measures it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pwd
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from lessonkit.core.paths import REPO_ROOT
from lessonkit.lesson.progress import progress_path, read_records
from tests.notebook_runner import with_solution
from tools import classroom
from tools.hub_client import Learner, LessonRun

LESSONS = ("02_revisions", "14_1_enum_column")  # SQLite, PostgreSQL
LESSONKIT_PROBE = (
    "import lessonkit\nfrom lessonkit.databases.pg_server import pgdata_dir\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "print(lessonkit.__file__)\nprint(pgdata_dir())\nprint(IPKernelApp.instance().transport)"
)
# Run as one learner against another's files and server: every attempt must fail.
TRESPASS = r"""
import json, os, sys
import psycopg
socket_dir, work = sys.argv[1:3]
found = {}
try:
    psycopg.connect(host=socket_dir, dbname="postgres", user="postgres", connect_timeout=5).close()
    found["postgres"] = "connected"
except Exception as error:
    found["postgres"] = f"{type(error).__name__}: {str(error).strip()[:160]}"
try:
    found["work"] = sorted(os.listdir(work))
    found["progress"] = open(os.path.join(work, "progress.jsonl"), encoding="utf-8").read()[:80]
except OSError as error:
    found["work"] = f"{type(error).__name__}: {error.strerror}"
print(json.dumps(found))
"""


@dataclass
class LearnerReport:
    name: str
    home: Path
    server_seconds: float = 0.0
    pull_seconds: float = 0.0
    locale: str = ""
    runs: dict[str, LessonRun] = field(default_factory=dict)
    lessonkit_file: str = ""
    pgdata: str = ""
    kernel_transport: str = ""
    trespass: dict = field(default_factory=dict)  # against the next learner
    own_access: dict = field(default_factory=dict)  # the same probe on their own server
    foreign_http: int = 0  # HTTP status of their token on the next learner's server
    postgres_alive_after: list[int] = field(default_factory=list)
    postgres_stop_seconds: float | None = None
    progress: list[dict] = field(default_factory=list)  # their work/progress.jsonl
    progress_owner: str = ""
    error: str = ""


@dataclass
class ClassReport:
    learners: list[LearnerReport]
    seconds: float
    memory: dict[str, dict] = field(default_factory=dict)  # name → peak PSS in bytes by part
    cpu: dict[str, float] = field(default_factory=dict)  # name → CPU seconds of their processes
    tcp_listeners: list = field(default_factory=list)  # postgres sockets on TCP: none expected
    class_progress: str = ""  # `course.py class-progress` as the instructor (root) sees it


def probe_as(name: str, socket_dir: str, work: str) -> dict:
    entry = pwd.getpwnam(name)
    done = subprocess.run(
        [str(classroom.IMAGE_PYTHON), "-c", TRESPASS, socket_dir, work],
        user=entry.pw_uid,
        group=entry.pw_gid,
        extra_groups=[],  # none of root's groups
        cwd=entry.pw_dir,
        env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )
    return json.loads(done.stdout) if done.returncode == 0 else {"failed": done.stderr[-500:]}


class MemorySampler:
    """Peak PSS of each learner's kernels, PostgreSQL and Jupyter server while the class runs,
    and the CPU time their processes used (the last value seen of each process)."""

    def __init__(self, names: list[str], period: float = 1.0):
        self.uids = {pwd.getpwnam(n).pw_uid: n for n in names}
        self.peak: dict[str, dict] = {n: {} for n in names}
        self.cpu: dict[str, dict[int, float]] = {n: {} for n in names}
        self.period, self._stop = period, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def part(process: psutil.Process) -> str:
        name, cmdline = process.name(), " ".join(process.cmdline())
        if name == "postgres":
            return "postgres"
        if "ipykernel_launcher" in cmdline:
            return "kernels"
        if "jupyterhub-singleuser" in cmdline:
            return "server"
        return "other"

    def sample(self) -> None:
        now: dict[str, dict] = {n: {} for n in self.uids.values()}
        for process in psutil.process_iter(["uids"]):
            with contextlib.suppress(psutil.Error):
                owner = self.uids.get(process.info["uids"].real if process.info["uids"] else -1)
                if owner is None:
                    continue
                part = self.part(process)
                now[owner][part] = now[owner].get(part, 0) + process.memory_full_info().pss
                # with the children it waited for (`!alembic`, initdb, pg_ctl): short-lived
                # processes a sample a second would miss
                self.cpu[owner][process.pid] = sum(process.cpu_times()[:4])
        for owner, parts in now.items():
            total = parts.get("kernels", 0) + parts.get("postgres", 0)
            if total > self.peak[owner].get("learner", 0):  # the moment of the learner's peak
                self.peak[owner] = {**parts, "learner": total}

    def cpu_seconds(self, name: str) -> float:
        return sum(self.cpu[name].values())

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self.sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def run_lesson(learner: Learner, lesson: str) -> LessonRun:
    path = f"{classroom.COURSE_FOLDER}/notebooks/{lesson}.ipynb"
    notebook = with_solution(await learner.notebook(path))
    run = await learner.open(path)
    await learner.execute_all(run, notebook)
    return run


async def learner_day(learner: Learner, report: LearnerReport, repo: str, token: str) -> None:
    await learner.get_token(token)
    report.server_seconds = await learner.start_server()
    started = time.monotonic()
    await learner.pull(repo, classroom.BRANCH, classroom.COURSE_FOLDER)
    report.pull_seconds = time.monotonic() - started
    settings = await learner.request(
        f"{learner.server}/lab/api/settings/@jupyterlab/translation-extension:plugin"
    )
    report.locale = settings["schema"]["properties"]["locale"]["default"]
    runs = await asyncio.gather(*(run_lesson(learner, lesson) for lesson in LESSONS))
    report.runs = dict(zip(LESSONS, runs, strict=True))
    where = await learner.run_code(report.runs[LESSONS[1]], LESSONKIT_PROBE)
    answer = [line for line in where.text.splitlines() if line.strip()] + ["", "", ""]
    report.lessonkit_file, report.pgdata, report.kernel_transport = answer[:3]


async def postgres_stops(report: LearnerReport, timeout: float = 60) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        alive = [p.pid for p in classroom.processes_of(report.name) if p.name() == "postgres"]
        report.postgres_alive_after = alive
        if not alive:
            report.postgres_stop_seconds = time.monotonic() - started
            return
        await asyncio.sleep(0.5)


def tcp_listeners(names: list[str]) -> list:
    pids = {p.pid for n in names for p in classroom.processes_of(n) if p.name() == "postgres"}
    return [
        (c.pid, c.laddr)
        for c in psutil.net_connections(kind="inet")
        if c.pid in pids and c.status == psutil.CONN_LISTEN
    ]


async def class_at_work(hub: classroom.Hub, names: list[str], repo: str) -> ClassReport:
    learners = [Learner(hub.url, name) for name in names]
    reports = [LearnerReport(name, Path(pwd.getpwnam(name).pw_dir)) for name in names]
    started = time.monotonic()
    with MemorySampler(names) as memory:
        outcomes = await asyncio.gather(
            *(learner_day(le, r, repo, hub.token) for le, r in zip(learners, reports, strict=True)),
            return_exceptions=True,
        )
    seconds = time.monotonic() - started
    for report, outcome in zip(reports, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            report.error = f"{type(outcome).__name__}: {outcome}"
    listeners = tcp_listeners(names)
    # Every learner tries the next one's PostgreSQL socket and work/, and the next one's server
    # with their own token; then the same probe on their own (it must get in: the probe works).
    for index, (learner, report) in enumerate(zip(learners, reports, strict=True)):
        other = reports[(index + 1) % len(reports)]
        other_work = str(other.home / classroom.COURSE_FOLDER / "work")
        own_work = str(report.home / classroom.COURSE_FOLDER / "work")
        if other.pgdata and report.pgdata:
            report.trespass = await asyncio.to_thread(
                probe_as, report.name, other.pgdata, other_work
            )
            report.own_access = await asyncio.to_thread(
                probe_as, report.name, report.pgdata, own_work
            )
        report.foreign_http = await learner.status(
            f"{learners[(index + 1) % len(learners)].server}/api/contents"
        )
    # Closing every notebook ends the kernels; each learner's PostgreSQL must stop with them.
    await asyncio.gather(
        *(
            le.close(run)
            for le, r in zip(learners, reports, strict=True)
            for run in r.runs.values()
        ),
        return_exceptions=True,
    )
    await asyncio.gather(*(postgres_stops(r) for r in reports))
    await asyncio.gather(*(le.stop_server() for le in learners), return_exceptions=True)
    for report in reports:
        path = progress_path(report.home / classroom.COURSE_FOLDER / "work")
        report.progress = read_records(path)
        with contextlib.suppress(OSError):
            report.progress_owner = pwd.getpwuid(path.stat().st_uid).pw_name
    shown = subprocess.run(
        [
            sys.executable,
            "tools/progress.py",
            "class-progress",
            "--homes",
            str(reports[0].home.parent),
            "--course",
            classroom.COURSE_FOLDER,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        encoding="utf-8",
    )
    cpu = {name: memory.cpu_seconds(name) for name in names}
    return ClassReport(reports, seconds, memory.peak, cpu, listeners, shown.stdout + shown.stderr)


def run_class(count: int) -> ClassReport:
    """Set up a class of ``count`` learners, let it work, take everything down again."""
    hub = None
    try:
        hub, names, repo = classroom.setup(count)
        return asyncio.run(class_at_work(hub, names, repo))
    finally:
        classroom.teardown(hub)
