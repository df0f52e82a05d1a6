import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from fastapi import FastAPI, Response
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import create_async_engine


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...
    ready_timeout: float = 1.0  # seconds; below the orchestrator's probe timeout


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = Settings()
    app.state.ready_timeout = settings.ready_timeout
    app.state.engine = create_async_engine(settings.database_url, pool_pre_ping=True)
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/now")
async def now() -> dict[str, str]:
    async with app.state.engine.connect() as connection:
        value = await connection.scalar(sa.text("SELECT now()"))
    return {"now": value.isoformat()}


# Liveness: the process answers. Nothing outside it is checked, so a database
# outage never gets the container restarted.
@app.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "alive"}


# Readiness: can this instance serve a request now? Checked against the database,
# within a deadline shorter than the probe's, so the answer is 503, not a timeout.
@app.get("/readyz")
async def readyz(response: Response) -> dict[str, str]:
    try:
        async with asyncio.timeout(app.state.ready_timeout):
            async with app.state.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
    except Exception:  # TimeoutError, or the driver's own error
        response.status_code = 503
        return {"status": "database unavailable"}
    return {"status": "ready"}
