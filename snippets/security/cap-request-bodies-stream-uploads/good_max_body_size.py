import os
import uuid

import anyio
from fastapi import FastAPI, UploadFile

UPLOAD_DIR = anyio.Path(os.environ.get("UPLOAD_DIR", "uploads"))
MAX_UPLOAD = 8 * 1024 * 1024  # bytes
CHUNK = 1024 * 1024

app = FastAPI(max_body_size=MAX_UPLOAD)  # 413 for any larger body, before parsing it


@app.post("/upload")
async def upload(file: UploadFile) -> dict[str, int]:
    size = 0
    async with await anyio.open_file(UPLOAD_DIR / uuid.uuid4().hex, "wb") as out:
        while chunk := await file.read(CHUNK):  # one chunk in memory at a time
            size += len(chunk)
            await out.write(chunk)
    return {"size": size}
