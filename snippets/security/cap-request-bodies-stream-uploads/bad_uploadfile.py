import os
import uuid

import anyio
from fastapi import FastAPI, UploadFile

UPLOAD_DIR = anyio.Path(os.environ.get("UPLOAD_DIR", "uploads"))

app = FastAPI()


@app.post("/upload")
async def upload(file: UploadFile) -> dict[str, int]:
    data = await file.read()  # Starlette spooled it to disk; this reads it all back
    await (UPLOAD_DIR / uuid.uuid4().hex).write_bytes(data)
    return {"size": len(data)}
