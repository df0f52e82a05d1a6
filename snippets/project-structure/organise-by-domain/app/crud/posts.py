from app import schemas

POSTS: dict[int, schemas.Post] = {}  # stands in for the posts table


async def create(data: schemas.PostCreate, author: str) -> schemas.Post:
    post = schemas.Post(id=len(POSTS) + 1, title=data.title, author=author)
    POSTS[post.id] = post
    return post


async def get(post_id: int) -> schemas.Post | None:
    return POSTS.get(post_id)
