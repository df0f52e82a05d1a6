import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import FastAPI, Header, Request, Response
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import create_async_engine

LIMIT_PER_MINUTE = 10

# The table, as a migration would create it.
SCHEMA = "CREATE TABLE counter (name text PRIMARY KEY, value bigint NOT NULL)"
# One statement: creates the row at 1 or adds 1 to it, and returns the new value.
BUMP = sa.text(
    "INSERT INTO counter (name, value) VALUES (:name, 1)"
    " ON CONFLICT (name) DO UPDATE SET value = counter.value + 1"
    " RETURNING value"
)


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = create_async_engine(Settings().database_url)
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


async def bump(request: Request, name: str) -> int:
    async with request.app.state.engine.begin() as connection:
        return (await connection.execute(BUMP, {"name": name})).scalar_one()


@app.post("/pages/{page}/views")
async def count_view(page: str, request: Request) -> dict[str, int]:
    views = await bump(request, f"views:{page}")
    return {"views": views, "pid": os.getpid()}


@app.get("/quota")
async def use_quota(
    x_api_key: Annotated[str, Header()], request: Request, response: Response
) -> dict[str, int]:
    minute = int(time.time() // 60)
    used = await bump(request, f"quota:{x_api_key}:{minute}")
    if used > LIMIT_PER_MINUTE:
        response.status_code = 429
    return {"used": used, "pid": os.getpid()}
