from fastapi import FastAPI, HTTPException
from src.auth import constants as auth_constants
from src.auth import service as auth_service
from src.posts import service
from src.posts.constants import ErrorCode

app = FastAPI()


@app.get("/users/{username}/posts/{post_id}")
async def read_user_post(username: str, post_id: int) -> dict[str, str]:
    if await auth_service.get_user(username) is None:
        raise HTTPException(404, detail={"code": auth_constants.ErrorCode.NOT_FOUND})
    post = await service.get_post(post_id)
    if post is None or post["author"] != username:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND})
    return post
