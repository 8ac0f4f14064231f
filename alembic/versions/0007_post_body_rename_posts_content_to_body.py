"""Rename posts.content to body

Revision ID: 0007_post_body
Revises: 0006_merge
Create Date: 2026-11-25 11:38:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007_post_body'
down_revision: Union[str, Sequence[str], None] = '0006_merge'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Autogenerate saw a rename as add_column('body') + drop_column('content'): the texts of
    # every post would be lost (lesson 10). A rename keeps them; SQLite >= 3.25 renames
    # in place, so no batch mode is needed (and --sql works without a database).
    op.alter_column('posts', 'content', new_column_name='body')


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column('posts', 'body', new_column_name='content')
