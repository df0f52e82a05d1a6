import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def tenant_names() -> list[str]:
    return list(op.get_bind().execute(sa.text("SELECT name FROM tenant")).scalars())


def upgrade() -> None:
    for name in tenant_names():  # the schema now depends on the rows of this database
        op.create_table(
            f"post_{name}",
            sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
        )


def downgrade() -> None:
    for name in tenant_names():
        op.drop_table(f"post_{name}")
