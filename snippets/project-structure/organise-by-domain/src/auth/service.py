from src.auth.schemas import User

USERS = {"ada": User(username="ada")}  # stands in for the users table


async def get_user(username: str) -> User | None:
    return USERS.get(username)
