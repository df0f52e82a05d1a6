import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("post", sa.Column("slug", sa.Text, nullable=True))
    # The data is dynamic, the statement is not: one UPDATE, whatever the rows are.
    op.execute(
        "UPDATE post SET slug = trim(BOTH '-' FROM "
        "lower(regexp_replace(title, '[^a-zA-Z0-9]+', '-', 'g')))"
    )
    op.alter_column("post", "slug", nullable=False)
    op.create_unique_constraint(
        "post_tenant_id_slug_key", "post", ["tenant_id", "slug"]
    )


def downgrade() -> None:
    op.drop_constraint("post_tenant_id_slug_key", "post", type_="unique")
    op.drop_column("post", "slug")
