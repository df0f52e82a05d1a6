import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypedDict

import asyncpg
from fastapi import Depends, FastAPI, Request

DATABASE_URL = os.environ["DATABASE_URL"]
log = logging.getLogger("uvicorn.error")


class State(TypedDict):
    pool: asyncpg.Pool


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    log.info("settings loaded")
    async with asyncpg.create_pool(DATABASE_URL, min_size=2, max_size=2) as pool:
        log.info("database pool opened")
        yield {"pool": pool}  # each request sees it as request.state.pool
    log.info("database pool closed")


app = FastAPI(lifespan=lifespan)


async def get_pool(request: Request) -> asyncpg.Pool:
    return request.state.pool


@app.get("/health")
async def health(pool: Annotated[asyncpg.Pool, Depends(get_pool)]) -> dict[str, int]:
    return {"database": await pool.fetchval("SELECT 1")}
