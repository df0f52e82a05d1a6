"""FBP804, bad: a body without Content-Type is read as JSON, on a cookie-auth route."""

from typing import Annotated

from fastapi import Cookie, FastAPI, HTTPException
from pydantic import BaseModel

SESSIONS = {"s3cret-session": "ada"}


class Transfer(BaseModel):
    to: str
    amount: int


# Turned off so that an old client that posts JSON without a Content-Type keeps working.
app = FastAPI(strict_content_type=False)


@app.post("/transfers", status_code=201)
async def send_money(
    transfer: Transfer, session: Annotated[str | None, Cookie()] = None
) -> dict[str, str | int]:
    if session not in SESSIONS:
        raise HTTPException(status_code=401, detail="Not signed in")
    return {"from": SESSIONS[session], "to": transfer.to, "amount": transfer.amount}
