"""«Alembic на практике»: one entry point for every platform, without make.

    python course.py lab        (Windows: py course.py lab)
    python course.py test

Only the standard library: this file runs before the course's environment exists. It builds
.venv/ from requirements.lock (uv if it installs, pip otherwise), then runs the command with the
environment's own Python. The Makefile calls this file, so there is one implementation.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if WINDOWS else "bin")
PYTHON = BIN / ("python.exe" if WINDOWS else "python")
STAMP = VENV / ".course-installed"
# What the environment is built from: a change to any of them rebuilds it.
INPUTS = (
    "requirements.lock",
    "pyproject.toml",
    "jupyter/overrides.json",
    "jupyter/ipython_kernel_config.py",
    "jupyter/alembic_course_locator.py",
    "tools/install_jupyter_config.py",
)
UV_VERSION = "0.13.9"  # also pinned in requirements.lock
UTF8 = {"PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}

COMMANDS: dict[str, tuple[str, Callable[[list[str]], int]]] = {}


def command(name: str, help_text: str):
    def register(function):
        COMMANDS[name] = (help_text, function)
        return function

    return register


def say(text: str) -> None:
    print(text, flush=True)


# -- the environment ---------------------------------------------------------------------------


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def environment_ready() -> bool:
    return PYTHON.exists() and STAMP.exists() and STAMP.read_text("utf-8") == inputs_digest()


def run(args: list[str | Path], check: bool = True, **kwargs) -> int:
    """A child process with UTF-8 I/O (a Russian Windows' code page is CP1251)."""
    env = {**os.environ, **UTF8, **kwargs.pop("env", {})}
    done = subprocess.run([str(a) for a in args], cwd=kwargs.pop("cwd", ROOT), env=env, **kwargs)
    if check and done.returncode != 0:
        raise SystemExit(done.returncode)
    return done.returncode


def ensure_environment() -> None:
    if environment_ready():
        return
    say("Готовлю окружение курса в .venv/ из requirements.lock …")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    uv = BIN / ("uv.exe" if WINDOWS else "uv")
    quiet = ["--quiet", "--disable-pip-version-check"]
    if run([PYTHON, "-m", "pip", "install", *quiet, f"uv=={UV_VERSION}"], check=False) == 0:
        run([uv, "pip", "sync", "--quiet", "--compile-bytecode", "--python", PYTHON,
             "requirements.lock"])  # fmt: skip
    else:
        say("uv недоступен — ставлю зависимости через pip (это дольше)")
        run([PYTHON, "-m", "pip", "install", *quiet, "--upgrade", "pip>=24"])
        run([PYTHON, "-m", "pip", "install", *quiet, "-r", "requirements.lock"])
        run([PYTHON, "-m", "compileall", "-q", VENV])
    run([PYTHON, "tools/install_jupyter_config.py"])
    STAMP.write_text(inputs_digest(), "utf-8")


def shared_environment() -> bool:
    """This file run by the Python of an environment that is already a course environment
    but not this clone's .venv: a class server's image (tools/install_jupyter_config.py
    --shared installed the kernel locator there). Then that environment serves, nothing is
    built, and the clone goes on PYTHONPATH (such an environment has no .pth naming it)."""
    import importlib.util

    if Path(sys.prefix).resolve() == VENV.resolve():
        return False
    needed = ("alembic_course_locator", "jupyterlab", "sqlalchemy")
    return all(importlib.util.find_spec(name) for name in needed)


def course_python(*args: str | Path, check: bool = True, **kwargs) -> int:
    if shared_environment():
        env = {**kwargs.pop("env", {}), "PYTHONPATH": str(ROOT)}
        return run([sys.executable, *args], check=check, env=env, **kwargs)
    ensure_environment()
    return run([PYTHON, *args], check=check, **kwargs)


def lab_options(extra: list[str], folder: str) -> list[str]:
    """JupyterLab on the repository, opened at ``folder``; --allow-root only where it is needed."""
    options = ["--ServerApp.root_dir=.", f"--LabApp.default_url=/lab/tree/{folder}"]
    if getattr(os, "geteuid", lambda: 1)() == 0:  # root: a container or CI box
        options.append("--allow-root")
    return options + extra


# -- the commands --------------------------------------------------------------------------------


@command("lab", "открыть курс в JupyterLab (русский интерфейс)")
def lab(args: list[str]) -> int:
    return course_python("-m", "jupyterlab", *lab_options(args, "notebooks"), check=False)


@command("instructor", "собрать ноутбуки инструктора в instructor/")
def instructor(args: list[str]) -> int:
    return course_python("tools/build_notebooks.py", "--instructor", *args)


@command("lab-instructor", "JupyterLab с заметками инструктора (ноутбуки из instructor/)")
def lab_instructor(args: list[str]) -> int:
    instructor([])
    return course_python("-m", "jupyterlab", *lab_options(args, "instructor"), check=False)


# The suite warns of every open() without an encoding; pytest turns the course's own into errors
# (pyproject.toml, filterwarnings): a system code page must never decide how a file is read.
TEST_ENV = {"PYTHONWARNDEFAULTENCODING": "1"}


def test_workers() -> str:
    """One worker per CPU, plus one: a worker spends part of its time waiting for a kernel."""
    from os import cpu_count

    count = os.process_cpu_count() if hasattr(os, "process_cpu_count") else None
    if count is None and hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    return str(os.environ.get("TEST_WORKERS") or (count or cpu_count() or 1) + 1)


def parallel_pytest(args: list[str], marks: str | None = None) -> int:
    """pytest over the course's workers, every notebook's runs in one of them (loadgroup);
    ``marks`` replaces the default selection of pyproject.toml's addopts."""
    selection = ["-m", marks] if marks else []
    return course_python(
        "-m", "pytest", "-n", test_workers(), "--dist", "loadgroup", *selection, *args,
        env=TEST_ENV,
    )  # fmt: skip


@command("test", "все тесты, включая выполнение каждого ноутбука")
def test(args: list[str]) -> int:
    return parallel_pytest(args)


@command("test-all", "make test и make test-slow, плюс ответы к заданиям на PostgreSQL и DuckDB")
def test_all(args: list[str]) -> int:
    return parallel_pytest(args, "not browser and not site and not hub")


@command("test-fast", "всё, кроме ноутбуков, — быстрая проверка при правке lessonkit")
def test_fast(args: list[str]) -> int:
    return parallel_pytest(
        args, "not notebooks and not heavy and not browser and not site and not hub and not slow"
    )


@command("test-slow", "ответы к заданиям на SQLite и другие тесты с меткой slow (.ci/run)")
def test_slow(args: list[str]) -> int:
    return parallel_pytest(args, "slow and not exhaustive")


@command("test-browser", "курс в настоящем Chromium (нужен системный chromium)")
def test_browser(args: list[str]) -> int:
    return course_python("-m", "pytest", "-m", "browser", "-p", "no:cacheprovider", *args)


@command("test-site", "сайт курса: две сборки совпадают, страницы открываются без интернета")
def test_site(args: list[str]) -> int:
    return course_python("-m", "pytest", "-m", "site", "-p", "no:cacheprovider", *args)


@command("lint", "ruff: проверка и формат")
def lint(args: list[str]) -> int:
    course_python("-m", "ruff", "check", ".")
    folders = ["lessonkit", "app", "alembic", "tests", "tools", "bench", "course.py"]
    return course_python("-m", "ruff", "format", "--check", *folders)


@command("notebooks", "пересобрать notebooks/ из lessons_src/")
def notebooks(args: list[str]) -> int:
    return course_python("tools/build_notebooks.py", *args)


@command("stats", "размер уроков: ячейки, слова, задания")
def stats(args: list[str]) -> int:
    return course_python("tools/lesson_stats.py", *args)


@command("schedule", "планы занятий (1 день, 2 дня, весь курс) в INSTRUCTOR.md и README.md")
def schedule(args: list[str]) -> int:
    return course_python("tools/schedule.py", "--write", *args)


@command("site", "сайт курса в site/, вид инструктора в site/instructor/ (--instructor: он один)")
def site(args: list[str]) -> int:
    return course_python("tools/build_site.py", *args)


@command("bench", "замеры скорости (цифры для README)")
def bench(args: list[str]) -> int:
    return course_python("bench/bench.py", *args)


@command("check-setup", "проверить всё перед занятием: базы, ядро, JupyterLab")
def check_setup(args: list[str]) -> int:
    return course_python("tools/check_setup.py", *args, check=False)


@command("db-start", "запустить встроенный PostgreSQL заранее (до занятия)")
def db_start(args: list[str]) -> int:
    return course_python("-m", "lessonkit.databases.pgctl", "start", *args)


@command("db-stop", "остановить встроенный PostgreSQL курса")
def db_stop(args: list[str]) -> int:
    if not PYTHON.exists():
        return 0
    return course_python("-m", "lessonkit.databases.pgctl", "stop", *args)


@command(
    "db-reset", "удалить данные встроенного PostgreSQL этой копии курса (он создаст их заново)"
)
def db_reset(args: list[str]) -> int:
    if not PYTHON.exists():
        return 0
    return course_python("-m", "lessonkit.databases.pgctl", "reset", *args)


@command("wheels", "есть ли колёса для Windows и macOS у каждого пакета из requirements.lock")
def wheels(args: list[str]) -> int:
    return course_python("tools/check_wheels.py", *args, check=False)


@command("lock", "пересчитать requirements.lock (нужен интернет), затем проверить колёса")
def lock(args: list[str]) -> int:
    ensure_environment()
    run([BIN / ("uv.exe" if WINDOWS else "uv"), "pip", "compile", "pyproject.toml",
         "--extra", "dev", "--universal", "--python-version", "3.11",
         "-o", "requirements.lock", *args])  # fmt: skip
    # A learner's environment (Binder, conda): the same pins, without the developers' tools.
    run([BIN / ("uv.exe" if WINDOWS else "uv"), "pip", "compile", "pyproject.toml",
         "--extra", "lessons", "-c", "requirements.lock", "--universal",
         "--python-version", "3.11", "-o", "requirements-learner.txt"])  # fmt: skip
    return wheels([])


@command("rise", "поставить слайды (jupyterlab-rise), необязательно")
def rise(args: list[str]) -> int:
    ensure_environment()
    pins = ["jupyterlab-rise==0.43.1", "jupyterlab-mathjax3==4.3.0"]
    uv = BIN / ("uv.exe" if WINDOWS else "uv")
    return run([uv, "pip", "install", "--quiet", "--no-deps", "--python", PYTHON, *pins])


@command(
    "reset-class",
    "между группами: остановить PostgreSQL, очистить work/ и notebooks/ (--dry-run: список)",
)
def reset_class(args: list[str]) -> int:
    if "--dry-run" not in args:
        db_stop([])
        db_reset([])
    return course_python("tools/reset_class.py", *args)


@command("clean", "удалить песочницы work/ и данные встроенного PostgreSQL этой копии")
def clean(args: list[str]) -> int:
    db_stop([])
    db_reset([])
    remove_tree(ROOT / "work")
    say("work/ удалена.")
    return 0


@command("progress", "мой прогресс: уроки × задания (✅/❌) и время на урок")
def show_progress(args: list[str]) -> int:
    return course_python("tools/progress.py", "progress", *args, check=False)


@command(
    "class-progress",
    "сервер группы: учащиеся × уроки (--homes /home --course <папка курса>; нужен sudo)",
)
def class_progress(args: list[str]) -> int:
    return course_python("tools/progress.py", "class-progress", *args, check=False)


@command("test-hub", "класс на одном сервере: JupyterHub, 8 учащихся сразу (root, Linux)")
def test_hub(args: list[str]) -> int:
    return course_python("-m", "pytest", "-m", "hub", "-p", "no:cacheprovider", "-s", *args)


@command("bench-hub", "замеры сервера группы: 1, 4 и 8 учащихся (root, Linux; цифры для README)")
def bench_hub(args: list[str]) -> int:
    return course_python("bench/hub_bench.py", *args)


@command("hub-link", "ссылка nbgitpuller для группы: hub-link https://адрес-хаба [--repo …]")
def hub_link(args: list[str]) -> int:
    return course_python("tools/links.py", "hub-link", *args, check=False)


@command("binder-link", "ссылка Binder на урок 00 (из git remote origin)")
def binder_link(args: list[str]) -> int:
    return course_python("tools/links.py", "binder-link", *args, check=False)


def remove_tree(path: Path) -> None:
    """shutil.rmtree that also deletes read-only files: git writes its objects read-only (the
    sandboxes of lesson 13), and Windows refuses to delete a read-only file."""

    def writable_and_retry(function, failed, _error) -> None:
        os.chmod(failed, stat.S_IWRITE | stat.S_IREAD)
        function(failed)

    if not path.exists():
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=writable_and_retry)
    else:
        shutil.rmtree(path, onerror=writable_and_retry)


@command("help", "список команд")
def show_help(args: list[str]) -> int:
    runner = "py course.py" if WINDOWS else "python course.py"
    say(f"{runner} <команда>   (на macOS и Linux то же: make <команда>)\n")
    for name, (text, _) in COMMANDS.items():
        say(f"  {name:<15} {text}")
    return 0


VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*=.*")


def take_variables(argv: list[str]) -> list[str]:
    """`NAME=value` arguments go into the environment, as make passes them: `make lab
    COURSE_DB=postgres` and `py course.py lab COURSE_DB=postgres` mean the same on every OS
    (cmd.exe and PowerShell have no `NAME=value command` form)."""
    rest = []
    for arg in argv:
        if VARIABLE.fullmatch(arg):
            name, _, value = arg.partition("=")
            os.environ[name] = value
        else:
            rest.append(arg)
    return rest


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 — this file runs on whatever Python is there
        raise SystemExit("Нужен Python 3.11 или новее: https://www.python.org/downloads/")
    for stream in (sys.stdout, sys.stderr):  # a CP1251 console cannot encode ✅
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    argv = take_variables(argv)
    name, args = (argv[0], argv[1:]) if argv else ("help", [])
    if name not in COMMANDS:
        say(f"Неизвестная команда «{name}».")
        show_help([])
        return 2
    return COMMANDS[name][1](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
