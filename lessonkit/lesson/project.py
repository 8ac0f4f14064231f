"""The lesson's own Alembic project: what `alembic init` writes, plus the course's one edit."""

from __future__ import annotations

import re
from pathlib import Path

from lessonkit.cli.command import run_alembic
from lessonkit.core.errors import CourseError

MODELS_STUB = '''"""Модели песочницы урока. env.py берёт отсюда Base.metadata для --autogenerate."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''

# The course's one edit: autogenerate compares the database with the sandbox's models.py.
TARGET_METADATA = """# Курс: метаданные моделей из models.py песочницы — для --autogenerate.
from models import Base  # noqa: E402

target_metadata = Base.metadata"""


def init_project(sandbox: Path, ini_url: str) -> None:
    """`alembic init alembic`, the database URL in alembic.ini, env.py wired to models.py.

    DuckDB needs no edit: duckdb-sqlalchemy registers its own Alembic implementation."""
    result = run_alembic(["init", "alembic"], sandbox)
    if not result.ok:
        raise CourseError(f"не удалось создать проект Alembic:\n{result.output}")
    set_ini_option(sandbox / "alembic.ini", "sqlalchemy.url", ini_url)
    env_py = sandbox / "alembic" / "env.py"
    env_py.write_text(wire_env_py(env_py.read_text(encoding="utf-8")), encoding="utf-8")
    (sandbox / "models.py").write_text(MODELS_STUB, encoding="utf-8")


def wire_env_py(text: str) -> str:
    anchor = "target_metadata = None"
    if anchor not in text:  # a new Alembic changed its template: fail loudly, not silently
        raise CourseError(f"в env.py от `alembic init` не найдена строка «{anchor}».")
    return text.replace(anchor, TARGET_METADATA, 1)


def set_ini_option(ini: Path, key: str, value: str, section: str = "alembic") -> str:
    """Set ``key = value`` in ``[section]`` of an .ini file, keeping its comments and layout.

    Returns the old value ("" if the key was absent).
    """
    lines = Path(ini).read_text(encoding="utf-8").splitlines(keepends=True)
    in_section, header_at, old = False, None, ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            in_section = stripped[1:-1].strip() == section
            header_at = i if in_section else header_at
            continue
        match = re.match(rf"{re.escape(key)}\s*=\s*(.*)$", stripped)
        if in_section and match:
            old = match.group(1)
            lines[i] = f"{key} = {value}\n"
            break
    else:
        if header_at is None:
            lines.append(f"\n[{section}]\n")
            header_at = len(lines) - 1
        lines.insert(header_at + 1, f"{key} = {value}\n")
    Path(ini).write_text("".join(lines), encoding="utf-8")
    return old
