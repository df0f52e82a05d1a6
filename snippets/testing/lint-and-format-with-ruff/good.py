import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    # One client for the life of the app, with a timeout.
    async with httpx.AsyncClient(timeout=5) as client:
        yield {"client": client}


app = FastAPI(lifespan=lifespan)


class Item(BaseModel):
    id: int
    name: str


def catalogue_url() -> str:
    return os.environ.get("CATALOGUE_URL", "http://127.0.0.1:8001")


@app.get("/items/{item_id}")
async def read_item(
    item_id: int, base: Annotated[str, Depends(catalogue_url)], request: Request
) -> Item:
    response = await request.state.client.get(f"{base}/items/{item_id}")
    return Item.model_validate(response.json())
