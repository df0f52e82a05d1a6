from typing import Annotated, Any

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
async def token_claims(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
    except jwt.InvalidTokenError:
        raise HTTPException(
            status_code=401,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


async def active_user(claims: Annotated[dict[str, Any], Depends(token_claims)]) -> User:
    user = USERS.get(claims["sub"])
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown user")
    if not user.active:
        raise HTTPException(status_code=403, detail="Inactive user")
    return user


async def valid_post_id(post_id: int) -> Post:
    post = POSTS.get(post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return post


async def owned_post(
    post: Annotated[Post, Depends(valid_post_id)],
    user: Annotated[User, Depends(active_user)],
) -> Post:
    if post.owner != user.name:
        raise HTTPException(status_code=403, detail="Not the owner")
    return post


@app.get("/posts/{post_id}")
async def read_post(post: Annotated[Post, Depends(owned_post)]) -> Post:
    return post


@app.put("/posts/{post_id}")
async def update_post(
    post: Annotated[Post, Depends(owned_post)], data: PostUpdate
) -> Post:
    POSTS[post.id] = post.model_copy(update=data.model_dump())
    return POSTS[post.id]


# --8<-- [end:dependencies]
