"""The route reads the upload; the background task gets the bytes."""

import hashlib

from fastapi import BackgroundTasks, FastAPI, UploadFile

app = FastAPI()
digests: dict[str, str] = {}


async def store(name: str, content: bytes) -> None:
    digests[name] = hashlib.sha256(content).hexdigest()


@app.post("/uploads", status_code=202)
async def accept(file: UploadFile, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(store, file.filename or "", await file.read())
    return {"accepted": file.filename or ""}


@app.get("/uploads/{name}")
async def digest(name: str) -> dict[str, str | None]:
    return {"sha256": digests.get(name)}
