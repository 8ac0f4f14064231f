"""A class on one server, built on this machine for `course.py test-hub` and bench/hub_bench.py.

What a Littlest-JupyterHub-like server has, made from the registries alone (root only):

* the image's environment, installed once for everyone: Debian's /usr/bin/python3 → a venv in
  IMAGE_DIR/venv from requirements.lock (uv, bytecode compiled), then
  tools/install_jupyter_config.py --shared (Russian UI, the kernel locator, no .pth, kernels on
  Unix sockets); rebuilt only when the lock or the Jupyter configuration changes (a digest);
* configurable-http-proxy from npm, pinned, in IMAGE_DIR/chp;
* learners: local accounts «akphubNN» with homes only they can open (0700);
* the course's remote: a bare clone of this repository's HEAD (branch main) in IMAGE_DIR;
* JupyterHub itself (this environment's, 6.x): the shared-password authenticator, the local
  process spawner starting the image's jupyterhub-singleuser as each learner, a service token
  for the test's own admin requests. Its state lives in work/hub/.

Everything it made goes in ``remove_learners`` / ``Hub.stop``: the accounts with their homes and
processes. IMAGE_DIR stays as a cache (like .venv/): the next run starts in seconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from lessonkit.core.portable import is_root

ROOT = Path(__file__).resolve().parent.parent
IMAGE_DIR = Path("/opt/alembic-na-praktike-hub")
IMAGE = IMAGE_DIR / "venv"
IMAGE_PYTHON = IMAGE / "bin" / "python"
SYSTEM_PYTHON = "/usr/bin/python3"
CHP_VERSION = "5.3.0"
CHP = IMAGE_DIR / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
REMOTE = IMAGE_DIR / "course.git"
BRANCH = "main"
COURSE_FOLDER = "alembic-na-praktike"  # where the class link puts the course in each home
STATE = ROOT / "work" / "hub"
PREFIX = "akphub"  # learner accounts: akphub01, akphub02, …
MARKER = "alembic-na-praktike class test"  # their GECOS field: only these are ever removed
IMAGE_INPUTS = (
    "requirements.lock",
    "jupyter/overrides.json",
    "jupyter/ipython_kernel_config.py",
    "jupyter/alembic_course_locator.py",
    "jupyter/class_server_config.json",
    "tools/install_jupyter_config.py",
)


class ClassroomError(RuntimeError):
    pass


def say(text: str) -> None:
    print(f"[класс] {text}", flush=True)


def require_root() -> None:
    if not is_root() or sys.platform != "linux":
        raise ClassroomError(
            "сервер группы собирается только на Linux от root: нужны учётные записи "
            "учащихся (useradd) и запуск их серверов от их имени."
        )


def _run(command: list[str | Path], **options) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], check=True, encoding="utf-8", **options)


# -- the image -----------------------------------------------------------------------------------


def image_digest() -> str:
    digest = hashlib.sha256(Path(SYSTEM_PYTHON).resolve().name.encode())
    for name in IMAGE_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def build_image() -> float:
    """The learners' environment, as a hub image has it; returns the seconds it took."""
    started = time.perf_counter()
    stamp = IMAGE / ".course-image"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == image_digest():
        return 0.0
    say(f"окружение образа: {IMAGE} из requirements.lock ({SYSTEM_PYTHON})")
    shutil.rmtree(IMAGE, ignore_errors=True)
    _run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", IMAGE])
    uv = Path(sys.executable).parent / "uv"
    _run(
        [
            uv,
            "pip",
            "sync",
            "--quiet",
            "--link-mode=copy",
            "--compile-bytecode",
            "--python",
            IMAGE_PYTHON,
            ROOT / "requirements.lock",
        ]
    )
    _run(
        [IMAGE_PYTHON, ROOT / "tools" / "install_jupyter_config.py", "--shared"],
        stdout=subprocess.DEVNULL,
    )
    # uv compiled the packages; the locator was copied after it
    _run(
        [IMAGE_PYTHON, "-m", "compileall", "-q", *IMAGE.glob("lib/python3*/site-packages/*.py")],
        stdout=subprocess.DEVNULL,
    )
    _run(["chmod", "-R", "a+rX", IMAGE])
    stamp.write_text(image_digest(), encoding="utf-8")
    return time.perf_counter() - started


def install_proxy() -> None:
    if CHP.exists():
        return
    say(f"configurable-http-proxy {CHP_VERSION} из npm → {CHP.parent.parent.parent}")
    _run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            CHP.parents[2],
            f"configurable-http-proxy@{CHP_VERSION}",
        ]
    )


def publish_course() -> str:
    """This clone's HEAD as branch main of a bare repository the learners can read: the class
    link's `repo=`. Returns its file:// URL."""
    shutil.rmtree(REMOTE, ignore_errors=True)
    _run(["git", "init", "--quiet", "--bare", REMOTE])
    _run(["git", "-C", ROOT, "push", "--quiet", REMOTE, f"HEAD:refs/heads/{BRANCH}"])
    _run(["chmod", "-R", "a+rX", IMAGE_DIR])
    return REMOTE.as_uri()


# -- the learners --------------------------------------------------------------------------------


def learner_names(count: int) -> list[str]:
    return [f"{PREFIX}{n:02d}" for n in range(1, count + 1)]


def ours(name: str) -> bool:
    try:
        return pwd.getpwnam(name).pw_gecos == MARKER
    except KeyError:
        return False


def add_learners(names: list[str]) -> None:
    """Accounts with homes only their owner opens (Debian's useradd makes them 0755)."""
    for name in names:
        if ours(name):
            continue
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            raise ClassroomError(f"учётная запись {name} уже есть и создана не тестом")
        _run(
            [
                "useradd",
                "--create-home",
                "-K",
                "HOME_MODE=0700",
                "-c",
                MARKER,
                "-s",
                "/bin/bash",
                name,
            ]
        )
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)
        # The course's remote belongs to root; git refuses another owner's repository unless
        # the learner trusts it (a hub pulling from GitHub needs nothing of the kind).
        gitconfig = home / ".gitconfig"
        gitconfig.write_text(f"[safe]\n\tdirectory = {REMOTE}\n", encoding="utf-8")
        shutil.chown(gitconfig, name, name)


def processes_of(name: str) -> list[psutil.Process]:
    uid = pwd.getpwnam(name).pw_uid
    found = []
    for process in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if process.info["uids"] and process.info["uids"].real == uid:
                found.append(process)
    return found


def stop_processes_of(name: str) -> None:
    processes = processes_of(name)
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()


def remove_learners() -> list[str]:
    """Every account this module made (by its GECOS marker), its processes and home."""
    removed = []
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX) and entry.pw_gecos == MARKER:
            stop_processes_of(entry.pw_name)
            subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
            removed.append(entry.pw_name)
    return removed


# -- the hub -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Hub:
    url: str
    token: str  # the test's service token (admin of users and servers)
    password: str  # the class's shared password
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops the servers it spawned
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def hub_config(names: list[str], port: int, token: str, password: str) -> str:
    options = {
        "JupyterHub.ip": "127.0.0.1",
        "JupyterHub.port": port,
        "JupyterHub.hub_ip": "127.0.0.1",
        "JupyterHub.hub_port": free_port(),
        "JupyterHub.db_url": f"sqlite:///{STATE / 'jupyterhub.sqlite'}",
        "JupyterHub.cookie_secret_file": str(STATE / "jupyterhub_cookie_secret"),
        "JupyterHub.authenticator_class": "shared-password",
        "SharedPasswordAuthenticator.user_password": password,
        "Authenticator.allowed_users": set(names),
        "JupyterHub.spawner_class": "localprocess",
        "Spawner.cmd": [str(IMAGE / "bin" / "jupyterhub-singleuser")],
        "Spawner.default_url": "/lab",
        "Spawner.notebook_dir": "~",
        # Nothing of root's environment (its Python, its PYTHONPATH) reaches a learner.
        "Spawner.env_keep": [],
        "Spawner.environment": {
            "PATH": f"{IMAGE / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
        },
        "Spawner.start_timeout": 300,
        "Spawner.http_timeout": 300,
        "ConfigurableHTTPProxy.command": [str(CHP)],
        "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{free_port()}",
        "JupyterHub.services": [{"name": "class-check", "api_token": token}],
        "JupyterHub.load_roles": [
            {
                "name": "class-check",
                "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
                "services": ["class-check"],
            }
        ],
    }
    lines = ["c = get_config()  # noqa: F821 — written by tools/classroom.py"]
    for key, value in options.items():
        lines.append(f"c.{key} = {value!r}")
    return "\n".join(lines) + "\n"


def start_hub(names: list[str], timeout: float = 120) -> Hub:
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    port, token, password = free_port(), secrets.token_hex(16), secrets.token_urlsafe(12)
    config = STATE / "jupyterhub_config.py"
    config.write_text(hub_config(names, port, token, password), encoding="utf-8")
    log = STATE / "jupyterhub.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=STATE,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    hub = Hub(f"http://127.0.0.1:{port}", token, password, process, log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=2)
            return hub
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                hub.stop()
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise ClassroomError(f"JupyterHub не запустился:\n{tail}") from None
            time.sleep(0.5)


def setup(count: int) -> tuple[Hub, list[str], str]:
    """Image, proxy, learners, the course's remote, a running hub: (hub, names, repo URL)."""
    require_root()
    seconds = build_image()
    if seconds:
        say(f"окружение образа готово за {seconds:.0f} с")
    install_proxy()
    remove_learners()
    names = learner_names(count)
    repo = publish_course()
    add_learners(names)
    return start_hub(names), names, repo


def teardown(hub: Hub | None) -> None:
    if hub is not None:
        hub.stop()
    removed = remove_learners()
    shutil.rmtree(REMOTE, ignore_errors=True)
    if removed:
        say(f"удалены учётные записи: {', '.join(removed)}")
