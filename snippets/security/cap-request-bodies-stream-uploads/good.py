import os
import uuid

import anyio
from fastapi import FastAPI, HTTPException, Request

UPLOAD_DIR = anyio.Path(os.environ.get("UPLOAD_DIR", "uploads"))
MAX_UPLOAD = 8 * 1024 * 1024  # bytes

app = FastAPI()


@app.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD:
        raise HTTPException(413, "Content Too Large")  # refused before reading a byte
    target = UPLOAD_DIR / uuid.uuid4().hex
    size = 0
    async with await anyio.open_file(target, "wb") as out:
        async for chunk in request.stream():  # one chunk in memory at a time
            size += len(chunk)
            if size > MAX_UPLOAD:  # a chunked body has no Content-Length to check
                break
            await out.write(chunk)
    if size > MAX_UPLOAD:
        await target.unlink()
        raise HTTPException(413, "Content Too Large")
    return {"size": size}
