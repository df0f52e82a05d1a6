import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
from fastapi import Depends, FastAPI, HTTPException, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with asyncpg.create_pool(os.environ["DATABASE_URL"]) as pool:
        app.state.pool = pool
        yield


app = FastAPI(lifespan=lifespan)


async def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


@app.get("/posts/{post_id}")
async def read_post(post_id: int, pool: Pool) -> dict[str, int | str]:
    row = await pool.fetchrow("SELECT id, title FROM posts WHERE id = $1", post_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return dict(row)
