import time
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Page(BaseModel):
    limit: int
    offset: int


# --8<-- [start:app]
async def pagination(limit: int = 10, offset: int = 0) -> Page:
    return Page(limit=min(limit, 100), offset=offset)


@app.get("/items")
async def list_items(page: Annotated[Page, Depends(pagination)]) -> Page:
    return page


@app.get("/export")
def export() -> dict[str, str]:
    time.sleep(0.5)  # a sync SDK call: holds a worker thread while it waits
    return {"export": "done"}


# --8<-- [end:app]


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/items", params={"limit": 500}).json())
    #> {'limit': 100, 'offset': 0}
