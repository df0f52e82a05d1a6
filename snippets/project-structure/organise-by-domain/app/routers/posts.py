from fastapi import APIRouter, HTTPException, status

from app import crud, schemas
from app.dependencies import CurrentUser

router = APIRouter(prefix="/posts", tags=["posts"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_post(data: schemas.PostCreate, user: CurrentUser) -> schemas.Post:
    return await crud.posts.create(data, author=user.username)


@router.get("/{post_id}")
async def read_post(post_id: int) -> schemas.Post:
    post = await crud.posts.get(post_id)
    if post is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Post not found")
    return post
