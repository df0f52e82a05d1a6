import os

import requests
from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    id: int
    name: str


def catalogue_url() -> str:
    return os.environ.get("CATALOGUE_URL", "http://127.0.0.1:8001")


@app.get("/items/{item_id}", response_model=Item)
async def read_item(item_id: int, base: str = Depends(catalogue_url)) -> Item:
    response = requests.get(f"{base}/items/{item_id}")
    return Item.model_validate(response.json())
