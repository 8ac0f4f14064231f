"""The oracle's observers on real sandboxes: each value is equal for equivalent configurations
and differs where the behaviour differs."""

from __future__ import annotations

import subprocess

import pytest

from lessonkit import check, set_ini_option
from lessonkit.checks.oracle.sides import Side


def side_of(lesson, role: str = "b") -> Side:
    """A scratch copy of the lesson's sandbox and database, as a check makes one."""
    side = Side(lesson, 1, role)
    side.load(lesson, lesson)
    return side


@pytest.mark.heavy
def test_terminal_runs_a_new_process_without_the_current_folder_on_sys_path(make_lesson):
    lesson = make_lesson("90_oracle_terminal")
    ini = lesson.sandbox / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    ini.write_text(
        text + "\n[production]\nscript_location = %(here)s/alembic\n"
        "sqlalchemy.url = sqlite:///%(here)s/other.db\n",
        encoding="utf-8",
    )
    side = side_of(lesson)
    assert check.terminal("current").observe(side)[0] == "ok"
    # env.py imports models: without prepend_sys_path in the section, a terminal cannot
    failing = check.terminal("-n production current").observe(side)
    assert failing[0] == "ошибка" and "No module named 'models'" in failing[1]
    set_ini_option(side.sandbox / "alembic.ini", "prepend_sys_path", ".", section="production")
    assert check.terminal("-n production current").observe(side)[0] == "ok"


def test_configured_url_reads_what_env_py_hands_to_alembic(make_lesson):
    lesson = make_lesson("90_oracle_url")
    side = side_of(lesson)
    own = check.configured_url("current").observe(side)
    assert own == ("база копии", "ok")
    ini = side.sandbox / "alembic.ini"
    encoded = "mysql+pymysql://deploy:p%%40ss@db.example.com/shop"
    set_ini_option(ini, "sqlalchemy.url", encoded)
    url, status = check.configured_url("upgrade head --sql").observe(side)
    assert url == ("mysql+pymysql", "deploy", "p@ss", "db.example.com", None, "shop")
    assert status == "ok"
    set_ini_option(ini, "sqlalchemy.url", "mysql+pymysql://deploy:p@ss@db.example.com/shop")
    unencoded = check.configured_url("upgrade head --sql").observe(side)
    assert unencoded[0] != url  # the password is cut at the first «@»
    hint = check.configured_url("upgrade head --sql").describe((url, "ok"), unencoded)
    assert "пароль «p»" in hint


def test_configured_url_sets_environment_variables_for_the_run_only(make_lesson, monkeypatch):
    lesson = make_lesson("90_oracle_env")
    side = side_of(lesson)
    env_py = side.sandbox / "alembic" / "env.py"
    env_py.write_text(
        env_py.read_text(encoding="utf-8").replace(
            'url = config.get_main_option("sqlalchemy.url")',
            'url = os.environ.get("MIGRATE_URL") or config.get_main_option("sqlalchemy.url")',
        ),
        encoding="utf-8",
    )
    env_py.write_text("import os\n" + env_py.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.delenv("MIGRATE_URL", raising=False)
    seen = check.configured_url(
        "upgrade head --sql", env={"MIGRATE_URL": "postgresql://u:p%40ss@h/db"}
    ).observe(side)
    assert seen[0] == ("postgresql", "u", "p@ss", "h", None, "db")
    assert check.configured_url("upgrade head --sql").observe(side)[0] == "база копии"
    import os

    assert "MIGRATE_URL" not in os.environ


def test_version_locations_splits_as_on_linux_and_on_windows(make_lesson):
    lesson = make_lesson("90_oracle_paths")
    ini = lesson.sandbox / "alembic.ini"
    set_ini_option(ini, "version_locations", "%(here)s/alembic/versions;%(here)s/audit/versions")
    side = side_of(lesson)
    observer = check.version_locations(raw=True)
    broken = observer.observe(side)  # path_separator = os: «;» splits only on Windows
    assert broken[1][0] == ("alembic/versions;audit/versions",)
    assert broken[1][1] == ("alembic/versions", "audit/versions")
    set_ini_option(side.sandbox / "alembic.ini", "path_separator", ";")
    fixed = observer.observe(side)
    assert fixed[1] == (("alembic/versions", "audit/versions"),) * 2
    assert "на Linux и macOS" in observer.describe(fixed, broken)
    set_ini_option(side.sandbox / "alembic.ini", "path_separator", "os")
    set_ini_option(
        side.sandbox / "alembic.ini",
        "version_locations",
        "%(here)s/alembic/versions:%(here)s/audit/versions",
    )
    changed = observer.observe(side)
    assert changed[0] != fixed[0]
    assert "изменена" in observer.describe(fixed, changed)


def test_log_lines_counts_lines_whatever_the_format(make_lesson):
    lesson = make_lesson("90_oracle_log")
    ini = lesson.sandbox / "alembic.ini"
    set_ini_option(ini, "level", "INFO", section="logger_sqlalchemy")
    side = side_of(lesson)
    plain = check.log_lines("current").observe(side)
    assert dict(plain)[("sqlalchemy.engine", "INFO")] > 0
    assert dict(plain)[("alembic.runtime", "INFO")] > 0
    set_ini_option(
        side.sandbox / "alembic.ini",
        "format",
        "%(name)s | %(levelname)s | %(message)s",
        section="formatter_generic",
    )
    assert check.log_lines("current").observe(side) == plain  # another format, same lines
    set_ini_option(side.sandbox / "alembic.ini", "handlers", "console", section="logger_sqlalchemy")
    doubled = check.log_lines("current").observe(side)
    assert (
        dict(doubled)[("sqlalchemy.engine", "INFO")]
        == 2 * dict(plain)[("sqlalchemy.engine", "INFO")]
    )
    assert "повторяются" in check.log_lines("current").describe(plain, doubled)


def test_assignment_compares_code_not_spelling(make_lesson):
    lesson = make_lesson("90_oracle_assign")
    side = side_of(lesson)
    observer = check.assignment("alembic/env.py", "target_metadata")
    before = observer.observe(side)
    env_py = side.sandbox / "alembic" / "env.py"
    text = env_py.read_text(encoding="utf-8")
    env_py.write_text(text + "\ntarget_metadata = [Base.metadata,\n    other]\n", encoding="utf-8")
    after = observer.observe(side)
    assert after != before and after[-1] == "[Base.metadata, other]"
    assert "изменено `target_metadata`" in observer.describe(before, after)


@pytest.mark.heavy
def test_offline_script_is_executed_in_an_empty_database(make_lesson):
    lesson = make_lesson("90_oracle_script")
    versions = lesson.sandbox / "alembic" / "versions"
    (versions / "001_roles.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        'revision = "001_roles"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    roles = op.create_table("roles", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                            sa.Column("name", sa.String(20), nullable=False))\n'
        '    op.bulk_insert(roles, [{"id": 1, "name": "admin"}])\n\n\n'
        "def downgrade():\n"
        '    op.drop_table("roles")\n',
        encoding="utf-8",
    )
    side = side_of(lesson)
    good = check.offline_script("head").observe(side)
    assert good[0] == "ok" and ("roles", ((1, "admin"),)) in good[1]
    revision = side.sandbox / "alembic" / "versions" / "001_roles.py"
    revision.write_text(
        revision.read_text(encoding="utf-8").replace(
            'op.bulk_insert(roles, [{"id": 1, "name": "admin"}])',
            'op.get_bind().execute(sa.text("INSERT INTO roles (id, name) VALUES (:id, :name)"),'
            ' [{"id": 1, "name": "admin"}])',
        ),
        encoding="utf-8",
    )
    lost = check.offline_script("head").observe(side)
    assert lost[0] == "ошибка" and "NOT NULL" in lost[1]  # the parameters never reach the script


def test_git_commits_sees_uncommitted_changes_in_a_copy_without_index(make_lesson):
    lesson = make_lesson("90_oracle_git")

    def git(*args):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=lesson.sandbox,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "start")
    committed = check.git_commits().observe(side_of(lesson, "a"))
    assert committed[1] is True
    (lesson.sandbox / "models.py").write_text("# changed\n", encoding="utf-8")
    changed = check.git_commits().observe(side_of(lesson, "b"))
    assert changed[0] == committed[0] and changed[1] is False


def test_git_commits_names_a_revision_by_its_id_not_its_file_name(make_lesson):
    lesson = make_lesson("90_oracle_git_names")

    def git(*args):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=lesson.sandbox,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    versions = lesson.sandbox / "alembic" / "versions"
    for name, message in (("a", "add email"), ("b", "Add email to users")):
        for old in versions.glob("*.py"):
            old.unlink()
        (versions / f"002_email_{message.replace(' ', '_')}.py").write_text(
            "revision: str = '002_email'\ndown_revision = None\n", encoding="utf-8"
        )
        git("add", "-A")
        git("commit", "-q", "-m", message)
        seen = check.git_commits().observe(side_of(lesson, name))
        assert "ревизия 002_email" in seen[0] and seen[1] is True
        if name == "a":
            first = seen
    assert seen == first  # the same revision under another file name


def test_a_side_keeps_gits_index_so_checkout_works_in_a_copy(make_lesson):
    lesson = make_lesson("90_oracle_git_index")

    def git(cwd, *args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            encoding="utf-8",
        ).stdout

    git(lesson.sandbox, "init", "-q", "-b", "main")
    git(lesson.sandbox, "add", ".")
    git(lesson.sandbox, "commit", "-q", "-m", "start")
    git(lesson.sandbox, "branch", "feature")
    side = side_of(lesson)
    assert git(side.sandbox, "status", "--porcelain", "--untracked-files=no") == ""
    git(side.sandbox, "checkout", "-q", "feature")  # a solution's `!git checkout` on the copy


def test_graph_hint_names_the_revision_whose_parents_differ():
    expected = ((("001", ()), ("002", ("001",)), ("003", ("002",))), ("003",))
    actual = ((("001", ()), ("002", ("001",)), ("003", ("001", "002"))), ("003",))
    hint = check.graph().describe(expected, actual)
    assert "у 003 родители 001, 002, а ожидаются 002" in hint
