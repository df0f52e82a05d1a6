from typing import Annotated

from fastapi import Depends, Header

from src.auth import service
from src.auth.exceptions import NotAuthenticated
from src.auth.schemas import User


async def current_user(x_user: Annotated[str, Header()]) -> User:
    user = await service.get_user(x_user)
    if user is None or not user.active:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]
