"""Add profiles.avatar_url

Revision ID: 0005_profile_avatar
Revises: 0004_user_gender
Create Date: 2026-11-25 11:36:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_profile_avatar'
down_revision: Union[str, Sequence[str], None] = '0004_user_gender'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Written on a second branch from 0004, as a teammate would (lesson 13).
    op.add_column('profiles', sa.Column('avatar_url', sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('profiles', 'avatar_url')
