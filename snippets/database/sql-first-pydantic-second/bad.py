from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request
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

metadata = sa.MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)
profile = sa.Table(
    "profile",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False, unique=True),
)
post = sa.Table(
    "post",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("creator_id", sa.ForeignKey("profile.id"), nullable=False, index=True),
    sa.Column("slug", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
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


class Creator(BaseModel):
    id: UUID
    first_name: str
    last_name: str
    username: str


class Post(BaseModel):
    id: UUID
    slug: str
    title: str
    creator: Creator


# --8<-- [start:query]
@app.get("/posts")
async def list_posts(
    connection: Connection,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Post]:
    query = (
        sa.select(post)
        .order_by(post.c.created_at.desc(), post.c.id)
        .limit(limit)
        .offset(offset)
    )
    posts = []
    for row in await connection.execute(query):
        # one more round trip per post, and the nesting done in Python
        creator = await connection.execute(
            sa.select(profile).where(profile.c.id == row.creator_id)
        )
        posts.append(
            Post(
                id=row.id,
                slug=row.slug,
                title=row.title,
                creator=Creator.model_validate(creator.mappings().one()),
            )
        )
    return posts


# --8<-- [end:query]
