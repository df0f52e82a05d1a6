from typing import Annotated

from fastapi import Depends, Header, HTTPException, status

from app import crud, schemas


async def current_user(x_user: Annotated[str, Header()]) -> schemas.User:
    user = await crud.auth.get_user(x_user)
    if user is None or not user.active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Not authenticated")
    return user


CurrentUser = Annotated[schemas.User, Depends(current_user)]
