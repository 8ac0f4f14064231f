"""The sandbox's migration scripts as Alembic reads them: its ScriptDirectory, a revision's file."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from lessonkit.core.errors import CourseError
from lessonkit.lesson.state import active_lesson


def sandbox_script(sandbox: Path | None = None) -> ScriptDirectory:
    """The sandbox's versions folder as Alembic reads it, with the revision map built."""
    ini = (sandbox or active_lesson().sandbox) / "alembic.ini"
    if not ini.is_file():
        raise CourseError(
            "в песочнице нет проекта Alembic (alembic.ini).", hint="%alembic init alembic"
        )
    try:
        script = ScriptDirectory.from_config(Config(str(ini)))
        script.revision_map.heads  # noqa: B018 — builds the map: a broken down_revision fails here
    except (CommandError, KeyError, RevisionError) as exc:  # RevisionError: a label used twice
        raise CourseError(
            f"Alembic не может построить граф ревизий: {exc}",
            hint="проверьте down_revision в файлах alembic/versions; %alembic history покажет "
            "ту же ошибку с подробностями.",
        ) from None
    return script


def revision_path(revision: str | None = None) -> Path:
    """The script of ``revision`` (any unique prefix), or the newest one when None."""
    lesson = active_lesson()
    versions = lesson.sandbox / "alembic" / "versions"
    if revision is None:
        scripts = sorted(versions.glob("*.py"), key=lambda p: p.stat().st_mtime_ns)
        if not scripts:
            raise CourseError(
                "в alembic/versions ещё нет ни одной ревизии.",
                hint='создайте её: %alembic revision -m "описание"',
            )
        return scripts[-1]
    try:
        script = ScriptDirectory.from_config(Config(str(lesson.sandbox / "alembic.ini")))
        found = script.get_revision(revision)
    except CommandError as exc:
        raise CourseError(
            f"ревизия «{revision}» не найдена: {exc}", hint="список ревизий: %alembic history"
        ) from None
    if found is None:
        raise CourseError(f"ревизия «{revision}» не найдена.", hint="%alembic history")
    return Path(found.path)
