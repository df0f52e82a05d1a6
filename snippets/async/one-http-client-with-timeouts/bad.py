import os

import httpx
from fastapi import FastAPI

UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:9000")

app = FastAPI()


@app.get("/rates/{currency}")
async def read_rate(currency: str) -> dict[str, float]:
    # A new client per request: a new connection to the upstream every time,
    # and no timeout, so a hung upstream holds this request for ever.
    async with httpx.AsyncClient(base_url=UPSTREAM_URL, timeout=None) as client:
        response = await client.get(f"/rates/{currency}")
    return {"rate": response.json()["rate"]}
