"""Migration environment of the course's reference project (the note's demo app).

The note's «правильный env.py», with its slips fixed: the URL and Base come from
``app/database.py`` (the note says «.env»; the file is env.py importing database.py), every model
is imported so that autogenerate sees it, and the URL may come from DATABASE_URL.
"""

from logging.config import fileConfig
from pathlib import Path

import alembic_postgresql_enum  # noqa: F401 — autogenerate sees new enum values (lesson 14)
from sqlalchemy import create_engine, pool

import app.models  # noqa: F401 — registers every model on Base.metadata
from alembic import context
from app.database import DATABASE_URL, Base

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Offline mode (`alembic upgrade head --sql`): print the SQL, touch no database."""
    context.configure(
        url=DATABASE_URL,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=DATABASE_URL.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Online mode: connect and migrate. A test (pytest-alembic) may hand in its connection."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        if DATABASE_URL.startswith("sqlite:///"):
            Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(exist_ok=True)
        connectable = create_engine(DATABASE_URL, poolclass=pool.NullPool)

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: autogenerate writes batch operations for it.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
