from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import create_async_engine


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = create_async_engine(Settings().database_url, pool_pre_ping=True)
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/now")
async def now() -> dict[str, str]:
    async with app.state.engine.connect() as connection:
        value = await connection.scalar(sa.text("SELECT now()"))
    return {"now": value.isoformat()}


# One probe for everything, and it checks nothing: 200 while the database is down.
@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
