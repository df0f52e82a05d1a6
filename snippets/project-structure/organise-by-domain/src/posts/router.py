from fastapi import APIRouter, status

from src.auth import dependencies as auth_dependencies
from src.posts import service
from src.posts.exceptions import PostNotFound
from src.posts.schemas import Post, PostCreate

router = APIRouter(prefix="/posts", tags=["posts"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_post(data: PostCreate, user: auth_dependencies.CurrentUser) -> Post:
    return await service.create(data, author=user.username)


@router.get("/{post_id}")
async def read_post(post_id: int) -> Post:
    post = await service.get(post_id)
    if post is None:
        raise PostNotFound()
    return post
