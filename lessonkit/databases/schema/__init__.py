"""Schema snapshots of a lesson database and the before → after diff shown after %alembic."""

from lessonkit.databases.schema.diff import SchemaDiff, diff_schemas
from lessonkit.databases.schema.model import Item, Schema
from lessonkit.databases.schema.readers import read_schema

__all__ = ["Item", "Schema", "SchemaDiff", "diff_schemas", "read_schema"]
