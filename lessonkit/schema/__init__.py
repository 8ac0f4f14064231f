"""Schema snapshots of a lesson database and the before → after diff shown after %alembic."""

from lessonkit.schema.diff import SchemaDiff, diff_schemas
from lessonkit.schema.model import Item, Schema
from lessonkit.schema.readers import read_schema

__all__ = ["Item", "Schema", "SchemaDiff", "diff_schemas", "read_schema"]
