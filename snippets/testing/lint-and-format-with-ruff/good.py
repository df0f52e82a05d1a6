import os
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    id: int
    name: str


def catalogue_url() -> str:
    return os.environ.get("CATALOGUE_URL", "http://127.0.0.1:8001")


@app.get("/items/{item_id}")
async def read_item(item_id: int, base: Annotated[str, Depends(catalogue_url)]) -> Item:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(f"{base}/items/{item_id}")
    return Item.model_validate(response.json())
