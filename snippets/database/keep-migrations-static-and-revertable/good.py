from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

# Names in PostgreSQL's style, chosen by the model instead of by the server.
POSTGRES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

# The schema good_migrations/ builds: the same tables on every database.
metadata = sa.MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)
tenant = sa.Table(
    "tenant",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)
post = sa.Table(
    "post",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.ForeignKey("tenant.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False),
)


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...; no default: no URL, no start-up


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The engine (and its pool) is made once the app starts, from settings, and
    # disposed of when it stops; never at import.
    engine = create_async_engine(Settings().database_url)
    app.state.engine = engine
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def connect(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as connection:
        yield connection


Connection = Annotated[AsyncConnection, Depends(connect)]


class Post(BaseModel):
    id: int
    title: str
    slug: str


# --8<-- [start:route]
@app.get("/tenants/{tenant_name}/posts")
async def list_posts(tenant_name: str, connection: Connection) -> list[Post]:
    query = (
        sa.select(post.c.id, post.c.title, post.c.slug)
        .join(tenant)
        .where(tenant.c.name == tenant_name)  # a tenant is a row, not a table
        .order_by(post.c.id)
    )
    rows = await connection.execute(query)
    return [Post(**row) for row in rows.mappings()]


# --8<-- [end:route]
