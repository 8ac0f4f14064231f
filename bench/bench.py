"""Benchmark of the course tooling; prints a Markdown table for the README.

    make bench          # or: .venv/bin/python bench/bench.py [--runs N] [--skip-notebooks]

Measures, on this machine, in one run:
1. per-command latency of %alembic (in-process, schema diff included) against `alembic` in a
   subprocess (what `!alembic` does), on a 10-revision chain, SQLite and PostgreSQL;
2. database start: PostgreSQL cold (initdb + start), warm (data on disk, server stopped),
   attach (server already running); SQLite and DuckDB: a new file and the first query;
3. time to execute every notebook in a fresh kernel (the whole course, one after another);
4. with --suite: the whole course again, then `course.py test` and `course.py test-fast`, in
   the same run on the same machine, and the ratio of the suite to the course (issue 19's aim:
   at most 2.5×);
5. with --setup: a fresh clone to a running JupyterLab (`python course.py lab`), with uv's
   download cache empty (a new machine) and full (a second clone on the same machine).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lessonkit.core.paths import WORK_DIR  # noqa: E402

# What `!alembic` runs: the console script beside this interpreter (alembic.exe on Windows).
ALEMBIC = shutil.which("alembic", path=str(Path(sys.executable).parent)) or "alembic"
CHAIN = 10
STEP = '''"""table {n}"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "t{n}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, server_default=sa.func.now()),
    )
    op.create_index("ix_t{n}_created_at", "t{n}", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_t{n}_created_at", "t{n}")
    op.drop_table("t{n}")
'''


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def build_chain(lesson) -> None:
    versions = lesson.sandbox / "alembic" / "versions"
    for n in range(1, CHAIN + 1):
        rev, down = f"{n:03d}_t{n}", (f"{n - 1:03d}_t{n - 1}" if n > 1 else None)
        (versions / f"{rev}.py").write_text(STEP.format(n=n, rev=rev, down=down), encoding="utf-8")


def time_magic(shell, line: str, runs: int, before: str | None) -> float:
    from IPython.utils.capture import capture_output

    samples = []
    for _ in range(runs):
        if before:
            with capture_output():
                shell.run_line_magic("alembic", before)
        with capture_output():
            started = time.perf_counter()
            shell.run_line_magic("alembic", line)
            samples.append(time.perf_counter() - started)
    return median_ms(samples)


def time_subprocess(cwd: Path, line: str, runs: int, before: str | None) -> float:
    samples = []
    for _ in range(runs):
        if before:
            subprocess.run([ALEMBIC, *before.split()], cwd=cwd, capture_output=True, check=True)
        started = time.perf_counter()
        subprocess.run([ALEMBIC, *line.split()], cwd=cwd, capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


# (command, the command that restores the starting point before each timed run)
COMMANDS = [
    ("upgrade head", "downgrade base"),
    ("downgrade base", "upgrade head"),
    ("current", None),
    ("history", None),
]


def bench_commands(runs: int) -> list[str]:
    from IPython.testing.globalipapp import start_ipython

    import lessonkit
    from lessonkit.lesson.sandbox import start_lesson

    shell = start_ipython()
    shell.display_formatter.active_types = ["text/plain", "text/html"]
    lessonkit.load_ipython_extension(shell)
    rows = []
    for db in ("sqlite", "postgres", "duckdb"):
        from IPython.utils.capture import capture_output

        with capture_output():
            lesson = start_lesson("97_bench", db=db)
        build_chain(lesson)
        for line, before in COMMANDS:
            magic = time_magic(shell, line, runs, before)
            sub = time_subprocess(lesson.sandbox, line, max(3, runs // 3), before)
            rows.append(
                f"| {lesson.backend.title} | `{line}` | {magic:.0f} мс | {sub:.0f} мс "
                f"| {sub / magic:.1f}× |"
            )
        lesson.close()
    os.chdir(ROOT)  # start_lesson moved into the sandbox that is removed next
    shutil.rmtree(WORK_DIR / "97_bench", ignore_errors=True)
    return rows


PG_PROBE = """
import sys, time
from pathlib import Path
from lessonkit.databases.pg_server import start_embedded
started = time.perf_counter()
start_embedded(Path(sys.argv[1]), keep_running=True)
print(time.perf_counter() - started)
"""


def bench_postgres(runs: int) -> list[str]:
    from lessonkit.databases.pg_server import stop_embedded

    pgdata = WORK_DIR / "97_bench_pg"

    def start() -> float:
        out = subprocess.run(
            [sys.executable, "-c", PG_PROBE, str(pgdata)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            encoding="utf-8",
        )
        return float(out.stdout.strip().splitlines()[-1])

    cold, warm, attach = [], [], []
    for _ in range(max(1, runs // 3)):
        shutil.rmtree(pgdata, ignore_errors=True)
        cold.append(start())
        stop_embedded(pgdata)
        warm.append(start())
        attach.append(start())
        stop_embedded(pgdata)
    shutil.rmtree(pgdata, ignore_errors=True)
    return [
        f"| PostgreSQL: холодный (initdb + запуск) | {median_ms(cold):.0f} мс |",
        f"| PostgreSQL: тёплый (данные есть, сервер остановлен) | {median_ms(warm):.0f} мс |",
        f"| PostgreSQL: подключение к уже запущенному | {median_ms(attach):.0f} мс |",
    ]


def bench_file_databases(runs: int) -> list[str]:
    """SQLite and DuckDB have no server: their "start" is a new file and the first query."""
    from lessonkit.databases.backends import BACKENDS

    folder = WORK_DIR / "97_bench_files"
    rows = []
    for name in ("sqlite", "duckdb"):
        samples = []
        for _ in range(runs):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            backend = BACKENDS[name]("97_bench_files", folder)
            started = time.perf_counter()
            backend.reset()
            backend.server_version()
            samples.append(time.perf_counter() - started)
            backend.dispose()
        figure = f"{median_ms(samples):.1f} мс"
        rows.append(f"| {backend.title}: новый файл и первый запрос | {figure} |")
    shutil.rmtree(folder, ignore_errors=True)
    return rows


def bench_notebooks() -> tuple[list[str], float]:
    sys.path.insert(0, str(ROOT))
    from tests.notebook_runner import NOTEBOOKS, LessonKernel

    rows, total = [], 0.0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        started = time.perf_counter()
        with LessonKernel(path) as kernel:  # a fresh kernel, Run All, as a learner does
            kernel.run_all()
        elapsed = time.perf_counter() - started
        total += elapsed
        rows.append(f"| {path.stem} | {elapsed:.1f} с |")
    rows.append(f"| **весь курс** | **{total:.1f} с** |")
    return rows, total


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench_suite() -> list[str]:
    """The whole course once, then the suite, in one run: their ratio is the suite's cost."""
    _, course = bench_notebooks()
    suite = timed([sys.executable, "course.py", "test", "-q"])
    fast = timed([sys.executable, "course.py", "test-fast", "-q"])
    return [
        f"| весь курс, ноутбуки по очереди в новых ядрах | {course:.0f} с | 1× |",
        f"| `course.py test` (`make test`) | {suite // 60:.0f} мин {suite % 60:.0f} с "
        f"| **{suite / course:.2f}×** |",
        f"| `course.py test-fast` | {fast:.0f} с | — |",
    ]


def upto_cell(path: Path, db: str, section: str) -> str:
    """The lesson's own first cell (its imports too), on `db`, given upto=section and timed."""
    import nbformat

    from lessonkit.lesson.replay import first_cell_with_upto

    first = next(c for c in nbformat.read(path, 4).cells if c.cell_type == "code").source
    first = re.sub(r'db="[a-z]+"', f"db={db!r}", first)
    timed = first_cell_with_upto(first, section)
    clock = "import time as _t\n_started = _t.perf_counter()\n"
    return f"{clock}{timed}\nprint('UPTO', _t.perf_counter() - _started)"


def bench_upto(runs: int) -> list[str]:
    """start_lesson(upto=<the last section>) of the longest lesson that runs on any database
    (most code cells), timed in a kernel, on SQLite and PostgreSQL."""
    import nbformat
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT))
    from lessonkit.lesson.replay import sections

    def code_cells(path):
        return sum(c.cell_type == "code" for c in nbformat.read(path, 4).cells)

    movable = [
        p
        for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if "fixed_db=True" not in p.read_text(encoding="utf-8")
    ]
    longest = max(movable, key=code_cells)
    last = sections(nbformat.read(longest, 4))[-1].title
    rows = []
    for db in ("sqlite", "postgres"):
        samples = []
        for _ in range(max(3, runs // 3)):
            cell = nbformat.v4.new_code_cell(upto_cell(longest, db, last))
            notebook = nbformat.v4.new_notebook(cells=[cell])
            where = {"metadata": {"path": str(ROOT / "notebooks")}}
            NotebookClient(notebook, kernel_name="python3", resources=where).execute()
            out = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            samples.append(float(out.split("UPTO")[1]))
        rows.append(
            f"| {longest.stem} ({code_cells(longest)} ячеек кода) | {db} | «{last}» "
            f"| {median_ms(samples) / 1000:.1f} с |"
        )
    return rows


SETUP_RUNS = 3


def stop_tree(pid: int) -> None:
    """The process and its children (course.py → jupyter lab → kernels), on every OS."""
    import psutil

    parent = psutil.Process(pid)
    processes = [*parent.children(recursive=True), parent]
    for process in processes:
        process.terminate()
    psutil.wait_procs(processes, timeout=30)


def bench_setup() -> list[str]:
    """`git clone` + `make lab` until JupyterLab answers, as a new user runs it."""
    import tempfile
    import urllib.request

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "uv-cache"
        for label, keep_cache in (("пустой кеш uv (новая машина)", False), ("кеш uv есть", True)):
            samples = []
            for run in range(SETUP_RUNS):
                if not keep_cache:
                    shutil.rmtree(cache, ignore_errors=True)
                clone = Path(scratch) / f"clone{run}-{keep_cache}"
                env = {**os.environ, "UV_CACHE_DIR": str(cache)}
                env.pop("VIRTUAL_ENV", None)
                started = time.perf_counter()
                subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, env=env)
                lab = subprocess.Popen(
                    [
                        sys.executable,
                        "course.py",
                        "lab",
                        "--no-browser",
                        "--ServerApp.port=8999",
                        "--IdentityProvider.token=bench",
                    ],
                    cwd=clone,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    while True:
                        try:
                            urllib.request.urlopen(
                                "http://127.0.0.1:8999/lab/api/settings?token=bench", timeout=1
                            )
                            break
                        except OSError:
                            time.sleep(0.1)
                    samples.append(time.perf_counter() - started)
                finally:
                    stop_tree(lab.pid)
                shutil.rmtree(clone)
            values = sorted(samples)
            rows.append(
                f"| {label} | {statistics.median(values):.1f} с "
                f"({values[0]:.1f}–{values[-1]:.1f} с) |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure (median)")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--setup", action="store_true", help="only: fresh clone to JupyterLab")
    parser.add_argument("--suite", action="store_true", help="only: the suite against the course")
    args = parser.parse_args()
    if args.suite:
        print("\n| что | время | к курсу |\n|---|---|---|")
        print("\n".join(bench_suite()))
        return
    if args.setup:
        print(f"\n| от `git clone` до работающего JupyterLab, {SETUP_RUNS} прогона | время |")
        print("|---|---|")
        print("\n".join(bench_setup()))
        return

    print(
        f"Python {sys.version.split()[0]}, медиана из {args.runs} замеров (подпроцесс — из "
        f"{max(3, args.runs // 3)}); цепочка из {CHAIN} ревизий, в каждой таблица и индекс.\n"
    )
    print("| база | команда | `%alembic` (с диффом) | `!alembic` (подпроцесс) | во сколько раз |")
    print("|---|---|---|---|---|")
    print("\n".join(bench_commands(args.runs)))
    print("\n| запуск базы | время |\n|---|---|")
    print("\n".join(bench_postgres(args.runs) + bench_file_databases(args.runs)))
    print("\n| `upto=` последнего раздела | база | раздел | время |\n|---|---|---|---|")
    print("\n".join(bench_upto(args.runs)))
    if not args.skip_notebooks:
        print("\n| ноутбук | выполнение в новом ядре |\n|---|---|")
        print("\n".join(bench_notebooks()[0]))


if __name__ == "__main__":
    main()
