"""Does every package of requirements.lock install from a wheel on Windows and macOS?

A learner on Windows or an Intel Mac has no compiler: a package that has only a source
distribution there fails to install (argon2-cffi-bindings 26.2.0 had no x86_64 macOS wheel).
For each pin this asks PyPI which files the release has (the Simple API, PEP 691 JSON; nothing
is downloaded) and
checks, with packaging's own tag rules, that a wheel fits each target: Windows x64, macOS arm64,
macOS x86_64, Linux x86_64, on Python 3.11, 3.12 and 3.13. Pins whose marker excludes a
target (appnope is for macOS only) are skipped there.

    python tools/check_wheels.py           # the table; exit 1 if a target lacks a wheel
    python tools/check_wheels.py --write   # ...and put the table into README.md

Run it whenever the lock changes (`course.py lock` does); a test checks that the README's table
lists the lock's current versions.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
README = ROOT / "README.md"
START, END = "<!-- wheels:start -->", "<!-- wheels:end -->"
PYTHONS = ("3.11", "3.12", "3.13")
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.+))?$")


@dataclass(frozen=True)
class Target:
    label: str
    platforms: tuple[str, ...]
    marker_env: dict

    def tags(self, python: str) -> set[Tag]:
        version = tuple(int(x) for x in python.split("."))
        abis = [f"cp{version[0]}{version[1]}", "abi3", "none"]
        tags = set(cpython_tags(version, abis, self.platforms))
        tags |= set(compatible_tags(version, f"cp{version[0]}{version[1]}", self.platforms))
        return tags

    def environment(self, python: str) -> dict:
        return {**self.marker_env, "python_version": python, "python_full_version": python + ".0"}


COMMON = {"implementation_name": "cpython", "platform_python_implementation": "CPython"}
TARGETS = (
    Target(
        "Windows x64",
        ("win_amd64",),
        {**COMMON, "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
         "platform_machine": "AMD64"},
    ),
    Target(
        "macOS arm64",
        tuple(mac_platforms((14, 0), "arm64")),
        {**COMMON, "sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
         "platform_machine": "arm64"},
    ),
    Target(
        "macOS x86_64",
        tuple(mac_platforms((13, 0), "x86_64")),
        {**COMMON, "sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
         "platform_machine": "x86_64"},
    ),
    Target(
        "Linux x86_64",
        (
            *(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)),
            "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64",
        ),
        {**COMMON, "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
         "platform_machine": "x86_64"},
    ),
)  # fmt: skip


def pins() -> list[tuple[str, str, Marker | None]]:
    found = []
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            name, version, marker = match.groups()
            found.append((name, version, Marker(marker) if marker else None))
    return found


def wheel_tags(name: str, version: str) -> list[frozenset[Tag]]:
    request = urllib.request.Request(
        f"https://pypi.org/simple/{canonicalize_name(name)}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        files = json.load(answer)["files"]
    wanted = Version(version)
    found = []
    for file in files:
        if file["filename"].endswith(".whl") and not file.get("yanked"):
            try:
                _, release, _, tags = parse_wheel_filename(file["filename"])
            except InvalidWheelFilename:  # an ancient upload with a name of its own
                continue
            if release == wanted:
                found.append(frozenset(tags))
    return found


def verdicts(name: str, version: str, marker: Marker | None) -> dict[str, str] | None:
    """Per target: ✅, ❌ or — (not installed there). None for a pure-Python package (one
    py3-none-any wheel serves every platform: nothing to check)."""
    wheels = wheel_tags(name, version)
    if any(Tag("py3", "none", "any") in tags for tags in wheels):
        return None
    cells = {}
    for target in TARGETS:
        missing = []
        for python in PYTHONS:
            if marker is not None and not marker.evaluate(target.environment(python)):
                continue
            wanted = target.tags(python)
            if not any(tags & wanted for tags in wheels):
                missing.append(python)
        applies = marker is None or any(marker.evaluate(target.environment(p)) for p in PYTHONS)
        cells[target.label] = (
            "—" if not applies else "❌ " + ", ".join(missing) if missing else "✅"
        )
    return cells


def table() -> tuple[str, bool]:
    locked = pins()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda pin: verdicts(*pin), locked))
    header = ["пакет", *(t.label for t in TARGETS)]
    rows = [
        [f"{name} {version}", *(cells[t.label] for t in TARGETS)]
        for (name, version, _), cells in zip(locked, results, strict=True)
        if cells is not None
    ]
    ok = all("❌" not in cell for row in rows for cell in row)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    pure = sum(1 for r in results if r is None)
    lines.append("")
    lines.append(
        f"Python {', '.join(PYTHONS)}; ещё {pure} пакетов lock-файла — чистый Python "
        "(одно колесо `py3-none-any` на все платформы). Таблицу строит `course.py wheels`."
    )
    return "\n".join(lines), ok


def write_into_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(START) + len(START), readme.index(END)
    README.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


def main(argv: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="replace")
    text, ok = table()
    print(text)
    if "--write" in argv:
        write_into_readme(text)
        print("README.md: таблица обновлена.")
    if not ok:
        print("\n❌ Для некоторых платформ нет колеса: там пакет собирался бы из исходников.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
