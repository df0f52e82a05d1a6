"""add post published_at

Revision ID: 0b7d3e6f1a92
Revises: 5c1e8d2a9f04
Create Date: 2026-03-02 14:15:07.118406+00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0b7d3e6f1a92"
down_revision: str | None = "5c1e8d2a9f04"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("post", sa.Column("published_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("post", "published_at")
