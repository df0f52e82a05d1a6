from src.posts.schemas import Post, PostCreate

POSTS: dict[int, Post] = {}  # stands in for the posts table


async def create(data: PostCreate, author: str) -> Post:
    post = Post(id=len(POSTS) + 1, title=data.title, author=author)
    POSTS[post.id] = post
    return post


async def get(post_id: int) -> Post | None:
    return POSTS.get(post_id)
