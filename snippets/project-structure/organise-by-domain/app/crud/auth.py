from app import schemas

USERS = {"ada": schemas.User(username="ada")}  # stands in for the users table


async def get_user(username: str) -> schemas.User | None:
    return USERS.get(username)
