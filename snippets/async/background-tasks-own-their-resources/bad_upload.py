"""An upload handed to a background task, which reads it after the response."""

import hashlib

from fastapi import BackgroundTasks, FastAPI, UploadFile

app = FastAPI()
digests: dict[str, str] = {}


async def store(upload: UploadFile) -> None:
    digests[upload.filename or ""] = hashlib.sha256(await upload.read()).hexdigest()


@app.post("/uploads", status_code=202)
async def accept(file: UploadFile, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(store, file)
    return {"accepted": file.filename or ""}


@app.get("/uploads/{name}")
async def digest(name: str) -> dict[str, str | None]:
    return {"sha256": digests.get(name)}
