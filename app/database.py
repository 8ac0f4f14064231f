"""Database settings of the demo app (the note's ``database.py``): URL and declarative Base."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

REPO_ROOT = Path(__file__).resolve().parent.parent
# Without DATABASE_URL the app uses an SQLite file in the git-ignored work/ folder.
DEFAULT_URL = f"sqlite:///{REPO_ROOT / 'work' / 'reference.db'}"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    # SQLAlchemy reads a bare postgresql:// as psycopg2; the course installs psycopg 3.
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare) :]
    return url


DATABASE_URL = database_url()

# Named constraints: stable names in every migration, and SQLite batch mode can drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
