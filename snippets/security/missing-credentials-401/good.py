"""FBP806, good: 401 and a challenge without valid credentials, 403 when denied."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer()
USERS_BY_TOKEN = {"alice-token": "alice", "root-token": "root"}
ADMINS = {"root"}


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> str:
    user = USERS_BY_TOKEN.get(credentials.credentials)
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="Invalid token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return user


@app.get("/me")
def read_me(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    return {"user": user}


@app.get("/admin")
def read_admin(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    if user not in ADMINS:
        raise HTTPException(status_code=403, detail="Not allowed")
    return {"admin": user}
