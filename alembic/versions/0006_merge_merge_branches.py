"""merge branches

Revision ID: 0006_merge
Revises: 0005_post_status, 0005_profile_avatar
Create Date: 2026-11-25 11:37:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_merge'
down_revision: Union[str, Sequence[str], None] = ('0005_post_status', '0005_profile_avatar')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
