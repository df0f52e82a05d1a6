import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"])


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def connect() -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
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
