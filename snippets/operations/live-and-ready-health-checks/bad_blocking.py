from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI, Response
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


# One probe that checks the database, with no deadline of its own: a database that
# does not answer holds it for the driver's whole connect timeout.
@app.get("/health")
async def health(response: Response) -> dict[str, str]:
    try:
        async with app.state.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception:
        response.status_code = 503
        return {"status": "database unavailable"}
    return {"status": "ok"}
