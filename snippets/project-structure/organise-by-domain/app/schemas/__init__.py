from app.schemas.auth import User
from app.schemas.posts import Post, PostCreate

__all__ = ["Post", "PostCreate", "User"]
