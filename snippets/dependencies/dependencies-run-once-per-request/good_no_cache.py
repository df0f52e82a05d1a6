import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI()

USERS = {"ada": {"name": "ada", "active": True}}  # stands in for a users table
POSTS = {1: {"title": "Notes on engines", "owner": "ada"}}


async def fetch_user(name: str) -> dict | None:
    await asyncio.sleep(0)  # a database round trip in a real app
    return USERS.get(name)


# --8<-- [start:dependencies]
async def current_user(x_user: Annotated[str, Header()]) -> dict:
    user = await fetch_user(x_user)
    if user is None:
        raise HTTPException(status_code=401, detail="Unknown user")
    return user


CurrentUser = Annotated[dict, Depends(current_user)]
# Opt out of the per-request cache: this dependant gets its own, fresh call.
FreshUser = Annotated[dict, Depends(current_user, use_cache=False)]


async def active_user(user: FreshUser) -> dict:
    if not user["active"]:
        raise HTTPException(status_code=403, detail="Inactive user")
    return user


async def owned_post(post_id: int, user: CurrentUser) -> dict:
    post = POSTS.get(post_id)
    if post is None or post["owner"] != user["name"]:
        raise HTTPException(status_code=404, detail="Post not found")
    return post


@app.get("/posts/{post_id}")
async def read_post(
    post: Annotated[dict, Depends(owned_post)],
    reader: Annotated[dict, Depends(active_user)],
) -> dict[str, str]:
    return {"title": post["title"], "reader": reader["name"]}


# --8<-- [end:dependencies]


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    print(TestClient(app).get("/posts/1", headers={"X-User": "ada"}).json())
    #> {'title': 'Notes on engines', 'reader': 'ada'}
