"""Figures of a class on one server (README, «Класс на одном сервере»): the run of the hub test
(tests/class_run.py) with 1, 4 and 8 learners, each time from a fresh hub and fresh accounts.

    python course.py bench-hub               # 1, 4, 8 learners (root, Linux), ~10 min
    python course.py bench-hub 1 2           # other class sizes

A script, not a test: it prints a Markdown table and how the capacity is extrapolated.
"""

from __future__ import annotations

import os
import statistics
import sys

from tests.class_run import LESSONS, ClassReport, run_class

MIB = 1024 * 1024
MACHINE_MEMORY = 24 * 1024  # MiB: the course's machines (2 cores, 24 GiB)
SYSTEM_RESERVE = 2 * 1024  # MiB for the OS, the hub and the proxy
# «Responsive»: the slowest learner of a class that opens the lesson at the same moment waits for
# the first «до → после» at most this many times as long as one learner alone.
SLOWDOWN_LIMIT = 3.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def figures(report: ClassReport) -> dict:
    learners = [le for le in report.learners if not le.error]
    diffs = {
        lesson: [le.runs[lesson].first_diff_seconds() or float("nan") for le in learners]
        for lesson in LESSONS
    }
    cells = [c.seconds for le in learners for r in le.runs.values() for c in r.cells[1:]]
    cells.sort()
    peak = [report.memory[le.name] for le in learners]
    return {
        "count": len(report.learners),
        "failed": len(report.learners) - len(learners),
        "seconds": report.seconds,
        "diff": {lesson: (median(v), max(v)) for lesson, v in diffs.items()},
        "cell_median": median(cells),
        "cell_p95": cells[int(0.95 * (len(cells) - 1))] if cells else float("nan"),
        "learner_mib": median([p.get("learner", 0) / MIB for p in peak]),
        "kernels_mib": median([p.get("kernels", 0) / MIB for p in peak]),
        "postgres_mib": median([p.get("postgres", 0) / MIB for p in peak]),
        "server_mib": median([p.get("server", 0) / MIB for p in peak]),
        "cpu": median([report.cpu[le.name] for le in learners]),
    }


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b·x."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y - b * mean_x, b


def table(runs: list[dict]) -> str:
    alone = runs[0]
    sqlite, postgres = LESSONS
    lines = [
        "| учащихся сразу | первое «до → после», 02 SQLite: медиана (макс.) | "
        "то же, 14.1 PostgreSQL | ×1 учащийся (14.1) | ячейка: медиана / 95 % | "
        "ядра + PostgreSQL на учащегося | сервер Jupyter | CPU на учащегося | весь прогон |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        ratio = run["diff"][postgres][0] / alone["diff"][postgres][0]
        lines.append(
            f"| {run['count']}{' (упало: ' + str(run['failed']) + ')' if run['failed'] else ''}"
            f" | {run['diff'][sqlite][0]:.1f} с ({run['diff'][sqlite][1]:.1f} с)"
            f" | {run['diff'][postgres][0]:.1f} с ({run['diff'][postgres][1]:.1f} с)"
            f" | {ratio:.1f}×"
            f" | {run['cell_median']:.2f} с / {run['cell_p95']:.2f} с"
            f" | {run['learner_mib']:.0f} МиБ ({run['kernels_mib']:.0f} + "
            f"{run['postgres_mib']:.0f})"
            f" | {run['server_mib']:.0f} МиБ | {run['cpu']:.0f} с | {run['seconds']:.0f} с |"
        )
    return "\n".join(lines)


def capacity(runs: list[dict]) -> str:
    postgres = LESSONS[1]
    counts = [r["count"] for r in runs]
    waits = [r["diff"][postgres][1] for r in runs]  # the slowest learner of each run
    a, b = fit(counts, waits)
    alone = runs[0]["diff"][postgres][1]
    by_wait = int((SLOWDOWN_LIMIT * alone - a) / b) if b > 0 else None
    per_learner = max(r["learner_mib"] + r["server_mib"] for r in runs)
    by_memory = int((MACHINE_MEMORY - SYSTEM_RESERVE) / per_learner)
    loads = ", ".join(f"{before:.1f}–{after:.1f}" for before, after in (r["load"] for r in runs))
    return (
        f"Ожидание первого «до → после» урока 14.1 самым медленным учащимся: {a:.1f} с + "
        f"{b:.2f} с × N (МНК по N = {', '.join(map(str, counts))}); один учащийся — {alone:.1f} с; "
        f"{SLOWDOWN_LIMIT:.0f}× этого ({SLOWDOWN_LIMIT * alone:.0f} с) — при N ≈ {by_wait}. "
        f"Память: {per_learner:.0f} МиБ на учащегося (ядра, PostgreSQL, сервер Jupyter) → "
        f"{by_memory} учащихся в {(MACHINE_MEMORY - SYSTEM_RESERVE) // 1024} ГиБ. "
        f"Нагрузка машины (средняя за минуту) во время прогонов: "
        f"{loads}."
    )


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] or [1, 4, 8]
    runs = []
    for count in counts:
        print(f"— {count} учащихся …", flush=True)
        before = os.getloadavg()[0]
        run = figures(run_class(count))
        run["load"] = (before, os.getloadavg()[0])
        runs.append(run)
    print()
    print(table(runs))
    print()
    print(capacity(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
