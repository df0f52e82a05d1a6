from app.crud import auth, posts

__all__ = ["auth", "posts"]
