"""FBP804, good, defence in depth: the default check, and no writes from other sites."""

from typing import Annotated

from fastapi import Cookie, Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

SESSIONS = {"s3cret-session": "ada"}
FRONT_ENDS = {"https://app.example.com"}


class Transfer(BaseModel):
    to: str
    amount: int


async def refuse_other_sites(origin: Annotated[str | None, Header()] = None) -> None:
    # Browsers send Origin with every cross-origin POST; clients that are not browsers
    # usually send none.
    if origin is not None and origin not in FRONT_ENDS:
        raise HTTPException(status_code=403, detail="Cross-site request refused")


app = FastAPI(dependencies=[Depends(refuse_other_sites)])


@app.post("/transfers", status_code=201)
async def send_money(
    transfer: Transfer, session: Annotated[str | None, Cookie()] = None
) -> dict[str, str | int]:
    if session not in SESSIONS:
        raise HTTPException(status_code=401, detail="Not signed in")
    return {"from": SESSIONS[session], "to": transfer.to, "amount": transfer.amount}
