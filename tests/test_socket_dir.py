"""The embedded PostgreSQL trusts every local connection, so its Unix socket must be reachable by
its owner only: on a class server another learner would otherwise get in. A data folder deep
in a long home moves the socket to a short folder in the temp folder; that folder is 0700."""

from __future__ import annotations

import stat

from lessonkit.databases import pg_server


def test_a_short_socket_folder_is_its_owners_only(tmp_path, monkeypatch):
    monkeypatch.setattr(pg_server, "is_root", lambda: False)
    monkeypatch.setattr(pg_server.tempfile, "gettempdir", lambda: str(tmp_path))
    deep = tmp_path / ("очень длинная папка " * 6) / "pg-0123456789"
    folder = pg_server._socket_dir(deep)
    assert folder != deep and folder.parent == tmp_path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_short_data_folder_holds_its_own_socket(tmp_path):
    assert pg_server._socket_dir(tmp_path / "pg") == tmp_path / "pg"
