"""FBP801, bad: any origin, with credentials: any site reads a signed-in user's data."""

from typing import Annotated

from fastapi import Cookie, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

SESSIONS = {
    "s3cret-session": {"email": "ada@example.com", "iban": "GB33BUKB20201555555555"}
}

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/me")
async def me(session: Annotated[str | None, Cookie()] = None) -> dict[str, str]:
    if session not in SESSIONS:
        raise HTTPException(status_code=401, detail="Not signed in")
    return SESSIONS[session]
