from fastapi import HTTPException, status


class NotAuthenticated(HTTPException):
    def __init__(self) -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail="Not authenticated")
