from fastapi import FastAPI, HTTPException
from src.auth.constants import ErrorCode
from src.auth.service import get_user
from src.posts.constants import ErrorCode
from src.posts.service import get_post

app = FastAPI()


@app.get("/users/{username}/posts/{post_id}")
async def read_user_post(username: str, post_id: int) -> dict[str, str]:
    if await get_user(username) is None:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND})  # auth's?
    post = await get_post(post_id)
    if post is None or post["author"] != username:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND})
    return post
