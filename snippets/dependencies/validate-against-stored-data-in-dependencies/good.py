import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()


class Post(BaseModel):
    id: int
    title: str


class PostUpdate(BaseModel):
    title: str


class Review(BaseModel):
    stars: int


POSTS = {1: Post(id=1, title="Notes on engines")}  # stands in for a posts table
REVIEWS = {1: [Review(stars=5)]}


async def fetch_post(post_id: int) -> Post | None:
    await asyncio.sleep(0)  # a database round trip in a real app
    return POSTS.get(post_id)


# --8<-- [start:app]
async def valid_post_id(post_id: int) -> Post:
    post = await fetch_post(post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return post


@app.get("/posts/{post_id}")
async def read_post(post: Annotated[Post, Depends(valid_post_id)]) -> Post:
    return post


@app.put("/posts/{post_id}")
async def update_post(
    post: Annotated[Post, Depends(valid_post_id)], data: PostUpdate
) -> Post:
    POSTS[post.id] = post.model_copy(update=data.model_dump())
    return POSTS[post.id]


@app.get("/posts/{post_id}/reviews")
async def read_reviews(post: Annotated[Post, Depends(valid_post_id)]) -> list[Review]:
    return REVIEWS.get(post.id, [])


# --8<-- [end:app]


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    client = TestClient(app)
    print(client.get("/posts/1/reviews").json())
    #> [{'stars': 5}]
    for response in (
        client.get("/posts/9"),
        client.put("/posts/9", json={"title": "x"}),
        client.get("/posts/9/reviews"),
    ):
        print(response.status_code, response.json())
        #> 404 {'detail': 'Post not found'}
        #> 404 {'detail': 'Post not found'}
        #> 404 {'detail': 'Post not found'}
