import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

DATABASE_URL = os.environ["DATABASE_URL"]
log = logging.getLogger("uvicorn.error")

pool: asyncpg.Pool | None = None  # a module global, filled in at startup


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Added later, for something else: from now on the handlers below never run.
    log.info("settings loaded")
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
async def open_pool() -> None:
    global pool
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=2, max_size=2)
    log.info("database pool opened")


@app.on_event("shutdown")
async def close_pool() -> None:
    if pool is not None:
        await pool.close()
    log.info("database pool closed")


@app.get("/health")
async def health() -> dict[str, int]:
    return {"database": await pool.fetchval("SELECT 1")}
