"""create post

Revision ID: 5c1e8d2a9f04
Revises:
Create Date: 2026-01-12 09:30:41.262511+00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e8d2a9f04"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "post",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("post")
