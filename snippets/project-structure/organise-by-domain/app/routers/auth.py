from fastapi import APIRouter

from app import schemas
from app.dependencies import CurrentUser

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/me")
async def read_me(user: CurrentUser) -> schemas.User:
    return user
