import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request

UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9000")
UPSTREAM_TIMEOUT = 1.0  # seconds: connect, read, write and pool each


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    # One client for the life of the app: its pool keeps connections open.
    timeout = httpx.Timeout(UPSTREAM_TIMEOUT)
    async with httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=timeout) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


async def upstream(request: Request) -> httpx.AsyncClient:
    return request.state.client


@app.get("/rates/{currency}")
async def read_rate(
    currency: str, client: Annotated[httpx.AsyncClient, Depends(upstream)]
) -> dict[str, float]:
    try:
        response = await client.get(f"/rates/{currency}")
    except httpx.TimeoutException:
        raise HTTPException(504, "the rates service did not answer in time") from None
    return {"rate": response.json()["rate"]}
