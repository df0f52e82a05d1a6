"""FBP806, bad: no token, a wrong token and a forbidden user all get the same 403."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer(auto_error=False)
USERS_BY_TOKEN = {"alice-token": "alice", "root-token": "root"}
ADMINS = {"root"}


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None:
        raise HTTPException(status_code=403, detail="Not authenticated")
    user = USERS_BY_TOKEN.get(credentials.credentials)
    if user is None:
        raise HTTPException(status_code=403, detail="Invalid token")
    return user


@app.get("/me")
def read_me(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    return {"user": user}


@app.get("/admin")
def read_admin(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    if user not in ADMINS:
        raise HTTPException(status_code=403, detail="Not allowed")
    return {"admin": user}
