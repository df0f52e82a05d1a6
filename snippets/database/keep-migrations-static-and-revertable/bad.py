from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine


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


# --8<-- [start:route]
@app.get("/tenants/{tenant_name}/posts")
async def list_posts(tenant_name: str, connection: Connection) -> list[Post]:
    # bad_migrations/ made one table per tenant that existed when it ran.
    post = sa.table(f"post_{tenant_name}", sa.column("id"), sa.column("title"))
    rows = await connection.execute(sa.select(post).order_by(post.c.id))
    return [Post(**row) for row in rows.mappings()]


# --8<-- [end:route]
