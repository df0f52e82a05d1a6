import os
import uuid

import anyio
from fastapi import FastAPI, Request

UPLOAD_DIR = anyio.Path(os.environ.get("UPLOAD_DIR", "uploads"))

app = FastAPI()


@app.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    data = await request.body()  # every byte the client sends, in memory at once
    await (UPLOAD_DIR / uuid.uuid4().hex).write_bytes(data)
    return {"size": len(data)}
