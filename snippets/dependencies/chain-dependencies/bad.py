from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    jwt_secret: SecretStr  # from the JWT_SECRET environment variable
    jwt_algorithm: str = "HS256"


class User(BaseModel):
    name: str
    active: bool


class Post(BaseModel):
    id: int
    title: str
    owner: str


class PostUpdate(BaseModel):
    title: str


settings = Settings()  # no JWT_SECRET: the app fails at startup, not at a request
app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")
USERS = {  # stands in for a users table
    "ada": User(name="ada", active=True),
    "bob": User(name="bob", active=True),
    "eve": User(name="eve", active=False),
}
POSTS = {
    1: Post(id=1, title="Notes on engines", owner="ada"),
    2: Post(id=2, title="On the loom", owner="bob"),
    3: Post(id=3, title="Drafts", owner="eve"),
}


# --8<-- [start:dependencies]
def unauthorized() -> HTTPException:
    return HTTPException(status_code=401, detail="Invalid token")


@app.get("/posts/{post_id}")
async def read_post(
    post_id: int, token: Annotated[str, Depends(oauth2_scheme)]
) -> Post:
    try:
        claims = jwt.decode(
            token, settings.jwt_secret.get_secret_value(), algorithms=["HS256"]
        )
    except jwt.InvalidTokenError:
        raise unauthorized() from None
    user = USERS.get(claims["sub"])
    if user is None or not user.active:
        raise HTTPException(status_code=403, detail="Inactive user")
    post = POSTS.get(post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    if post.owner != user.name:
        raise HTTPException(status_code=403, detail="Not the owner")
    return post


@app.put("/posts/{post_id}")
async def update_post(
    post_id: int, data: PostUpdate, token: Annotated[str, Depends(oauth2_scheme)]
) -> Post:
    # "Only the user name is needed here; the signature was checked at login."
    claims = jwt.decode(token, options={"verify_signature": False})
    post = POSTS.get(post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    if post.owner != claims["sub"]:
        raise HTTPException(status_code=403, detail="Not the owner")
    POSTS[post_id] = post.model_copy(update=data.model_dump())
    return POSTS[post_id]


# --8<-- [end:dependencies]
