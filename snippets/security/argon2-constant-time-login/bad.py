"""FBP807, bad: an unknown user is turned away before any hash is verified."""

from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pwdlib import PasswordHash
from pydantic import BaseModel

app = FastAPI()
password_hash = PasswordHash.recommended()  # Argon2id
USERS = {"alice": password_hash.hash("correct horse battery staple")}
STATS_KEY = "stats-key-2f9c1b7e"


class Login(BaseModel):
    username: str
    password: str


@app.post("/login")
def login(body: Login) -> dict[str, str]:  # def: Argon2 runs in the thread pool
    hashed = USERS.get(body.username)
    if hashed is None:
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    if not password_hash.verify(body.password, hashed):
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    return {"user": body.username}


@app.get("/stats")
def stats(x_api_key: Annotated[str, Header()]) -> dict[str, int]:
    if x_api_key != STATS_KEY:
        raise HTTPException(status_code=401, detail="Invalid API key")
    return {"users": len(USERS)}
