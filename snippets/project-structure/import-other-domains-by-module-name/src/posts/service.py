POSTS = {1: {"title": "Notes on engines", "author": "ada"}}  # the posts table


async def get_post(post_id: int) -> dict[str, str] | None:
    return POSTS.get(post_id)
