"""FBP903, bad: the pool is opened at import and nothing ever closes it."""

import asyncio

import httpx
from fastapi import FastAPI

pool = httpx.AsyncClient()

app = FastAPI()


@app.get("/slow")
async def slow(seconds: float) -> dict[str, bool]:
    print("request started", flush=True)
    await asyncio.sleep(seconds)
    print("request finished", flush=True)
    return {"pool_open": not pool.is_closed}
