"""start_lesson, the three backends, and the guards around destructive resets."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from lessonkit.core.errors import CourseError, DatabaseUnavailable, UnsafeReset
from lessonkit.core.paths import REPO_ROOT, WORK_DIR, is_inside_work, shorten_paths
from lessonkit.core.portable import remove_tree
from lessonkit.databases import pg_server as postgres
from lessonkit.databases.backends import choose_backend_name
from lessonkit.databases.backends.postgres import MARK, recreate_database
from lessonkit.lesson.project import set_ini_option
from lessonkit.lesson.sandbox import _recreate_folder
from tests.conftest import BACKENDS


@pytest.mark.parametrize("db", BACKENDS)
def test_start_lesson_builds_the_project_on_each_backend(make_lesson, db):
    lesson = make_lesson(f"93_start_{db}", db=db)
    assert (lesson.sandbox / "alembic" / "env.py").is_file()
    assert (lesson.sandbox / "models.py").is_file()
    assert os.getcwd() == str(lesson.sandbox)
    ini = (lesson.sandbox / "alembic.ini").read_text(encoding="utf-8")
    assert f"sqlalchemy.url = {lesson.backend.ini_url}" in ini
    assert lesson.snapshot().tables() == []
    assert lesson.query("SELECT 1") == [(1,)]


def test_course_db_variable_overrides_the_lesson_choice(monkeypatch):
    monkeypatch.setenv("COURSE_DB", "postgresql")
    assert choose_backend_name("sqlite") == "postgres"
    monkeypatch.setenv("COURSE_DB", "oracle")
    with pytest.raises(CourseError, match="неизвестная база"):
        choose_backend_name("sqlite")


def test_a_lesson_about_one_database_ignores_course_db(monkeypatch):
    monkeypatch.setenv("COURSE_DB", "sqlite")
    assert choose_backend_name("postgres", fixed=True) == "postgres"


@pytest.mark.postgres
def test_switch_db_keeps_the_migrations_and_empties_the_new_database(make_lesson, shell):
    lesson = make_lesson("93_switch")
    shell.run_line_magic("alembic", "revision -m one --rev-id 001_one")
    shell.run_line_magic("alembic", "upgrade head")
    lesson.switch_db("postgres")
    assert lesson.backend.name == "postgres"
    ini = (lesson.sandbox / "alembic.ini").read_text(encoding="utf-8")
    assert f"sqlalchemy.url = {lesson.backend.ini_url}" in ini
    assert lesson.snapshot().tables() == []
    shell.run_line_magic("alembic", "upgrade head")
    assert lesson.query("SELECT version_num FROM alembic_version") == [("001_one",)]
    lesson.switch_db("sqlite")  # and back: a fresh file, the same migrations
    assert lesson.snapshot().tables() == []


def test_reset_never_leaves_work():
    assert is_inside_work(WORK_DIR / "00_intro")
    assert not is_inside_work(WORK_DIR)
    assert not is_inside_work(REPO_ROOT / "notebooks")
    assert not is_inside_work(WORK_DIR / ".." / "notebooks")
    with pytest.raises(UnsafeReset):
        _recreate_folder(REPO_ROOT / "notebooks")
    assert (REPO_ROOT / "notebooks").is_dir()


def test_bad_lesson_name(make_lesson):
    with pytest.raises(CourseError, match="имя урока"):
        make_lesson("../../etc")


def test_set_ini_option_keeps_the_rest_of_the_file(tmp_path):
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        "[alembic]\n# comment\nscript_location = x\n\n[loggers]\nkeys = root\n", encoding="utf-8"
    )
    old = set_ini_option(ini, "script_location", "%(here)s/alembic")
    assert old == "x"
    set_ini_option(ini, "sqlalchemy.url", "sqlite://")
    assert ini.read_text(encoding="utf-8") == (
        "[alembic]\nsqlalchemy.url = sqlite://\n# comment\nscript_location = %(here)s/alembic"
        "\n\n[loggers]\nkeys = root\n"
    )


@pytest.mark.postgres
def test_reset_refuses_a_database_the_course_did_not_create(pg_admin_url):
    engine = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS someone_elses WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE someone_elses")
    try:
        with pytest.raises(UnsafeReset, match="создал её не курс"):
            recreate_database(pg_admin_url, "someone_elses")
        with engine.connect() as conn:  # still there
            assert conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = 'someone_elses'"
            ).scalar()
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE someone_elses")
        engine.dispose()


@pytest.mark.postgres
def test_course_databases_are_marked_and_recreated(pg_admin_url):
    recreate_database(pg_admin_url, "lesson_93_marked")
    engine = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        comment = conn.exec_driver_sql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = 'lesson_93_marked'"
        ).scalar()
    assert comment == MARK
    recreate_database(pg_admin_url, "lesson_93_marked", create=False)
    with engine.connect() as conn:
        assert not conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = 'lesson_93_marked'"
        ).scalar()
    engine.dispose()


@pytest.mark.postgres
def test_a_running_server_is_attached_not_restarted(pg_admin_url):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded server is not in use")
    pid_file = postgres.pgdata_dir() / "postmaster.pid"
    running = pid_file.read_text(encoding="utf-8").split()[0]
    postgres._servers.clear()  # forget the handle: attach to the running server again
    postgres.admin_url()
    assert pid_file.read_text(encoding="utf-8").split()[0] == running


def test_a_server_that_cannot_start_shows_what_postgres_said():
    """A cluster that looks initialised but is not: pg_ctl's own words reach the learner."""
    pgdata = WORK_DIR / "94_broken_pg"
    remove_tree(pgdata)
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text(postgres._major_version() + "\n", encoding="utf-8")
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            postgres.start_embedded(pgdata)
        assert "не запустился" in raised.value.message
        assert "pg_ctl start завершился с ошибкой" in raised.value.message
        assert "pg_control" in raised.value.message  # what PostgreSQL itself said
        assert "DATABASE_URL" in raised.value.hint and "sqlite" in raised.value.hint
    finally:
        remove_tree(pgdata)


@pytest.mark.heavy
@pytest.mark.postgres
def test_a_data_folder_of_an_older_postgresql_is_moved_aside(capfd):
    """PG_VERSION 16 from an older course: not an empty AssertionError, a new cluster."""
    pgdata = WORK_DIR / "94_old_pg"
    for old in WORK_DIR.glob("94_old_pg*"):
        remove_tree(old)
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n", encoding="utf-8")
    try:
        server = postgres.start_embedded(pgdata)
        assert (pgdata / "PG_VERSION").read_text(encoding="utf-8").strip() == "18"
        assert server.get_uri()
        assert "версии 16" in capfd.readouterr().err
        assert list(WORK_DIR.glob("94_old_pg-v16-*")), "the old folder is kept, renamed"
    finally:
        postgres.stop_embedded(pgdata)
        for old in WORK_DIR.glob("94_old_pg*"):
            remove_tree(old)


def test_database_url_that_does_not_answer(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@/nowhere?host=/nonexistent")
    with pytest.raises(DatabaseUnavailable) as raised:
        recreate_database(postgres.admin_url(), "lesson_95_x")
    assert "DATABASE_URL" in raised.value.hint


def test_database_url_is_normalised_to_psycopg3():
    url = postgres.normalize_url("postgresql://u:p@h:5432/db")
    assert url.drivername == "postgresql+psycopg"


@pytest.mark.postgres
def test_lesson_survives_a_stopped_embedded_server(make_lesson, shell, monkeypatch):
    """`make db-stop` while a kernel is open: %alembic says what to do; the first cell
    of the lesson starts the server again."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded server is not in use")
    from lessonkit.core.errors import AlembicCommandFailed

    # A server of its own: stopping the shared one would pull it from under parallel tests.
    monkeypatch.setenv(postgres.ENV_PGDATA, str(WORK_DIR / "pg-93-restart"))
    make_lesson("93_restart", db="postgres")
    postgres.stop_embedded()
    result = shell.run_cell("%alembic upgrade head")
    error = result.error_in_exec
    assert isinstance(error, AlembicCommandFailed)
    assert "первую ячейку" in error.hint
    lesson = make_lesson("93_restart", db="postgres")  # the first cell again
    assert lesson.query("SELECT 1") == [(1,)]
    lesson.close()
    postgres.stop_embedded()


@pytest.mark.postgres
def test_database_url_points_lessons_at_an_existing_server(make_lesson, pg_admin_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres.render_url(pg_admin_url))
    lesson = make_lesson("93_external", db="postgres")
    assert "DATABASE_URL" in lesson.backend.location
    assert lesson.query("SELECT current_database()") == [("lesson_93_external",)]


def test_paths_are_shown_relative_to_the_repository_also_inside_urls():
    pg = f"postgresql+psycopg://postgres@/db?host={quote(str(WORK_DIR / 'pg'), safe='')}"
    assert shorten_paths(pg) == "postgresql+psycopg://postgres@/db?host=work%2Fpg"
    assert shorten_paths(f"Generating {WORK_DIR}/x.py") == "Generating work/x.py"
