USERS = {"ada": {"username": "ada"}}  # stands in for the users table


async def get_user(username: str) -> dict[str, str] | None:
    return USERS.get(username)
