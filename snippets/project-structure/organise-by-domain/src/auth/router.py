from fastapi import APIRouter

from src.auth.dependencies import CurrentUser
from src.auth.schemas import User

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/me")
async def read_me(user: CurrentUser) -> User:
    return user
