"""FBP807, good: every login verifies one Argon2 hash, known user or not."""

import secrets
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pwdlib import PasswordHash
from pydantic import BaseModel

app = FastAPI()
password_hash = PasswordHash.recommended()  # Argon2id
USERS = {"alice": password_hash.hash("correct horse battery staple")}
DUMMY_HASH = password_hash.hash("no user has this password")
STATS_KEY = "stats-key-2f9c1b7e"


class Login(BaseModel):
    username: str
    password: str


@app.post("/login")
def login(body: Login) -> dict[str, str]:  # def: Argon2 runs in the thread pool
    hashed = USERS.get(body.username)
    valid = password_hash.verify(body.password, hashed or DUMMY_HASH)
    if hashed is None or not valid:
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    return {"user": body.username}


@app.get("/stats")
def stats(x_api_key: Annotated[str, Header()]) -> dict[str, int]:
    if not secrets.compare_digest(x_api_key.encode(), STATS_KEY.encode()):
        raise HTTPException(status_code=401, detail="Invalid API key")
    return {"users": len(USERS)}
