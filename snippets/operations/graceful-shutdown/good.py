"""FBP903, good: the lifespan closes the pool, after the requests in flight are done."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = httpx.AsyncClient()
    yield
    # uvicorn runs this after the requests still running have been answered.
    await app.state.pool.aclose()
    print("pool closed", flush=True)


app = FastAPI(lifespan=lifespan)


@app.get("/slow")
async def slow(seconds: float, request: Request) -> dict[str, bool]:
    print("request started", flush=True)
    await asyncio.sleep(seconds)
    print("request finished", flush=True)
    return {"pool_open": not request.app.state.pool.is_closed}
