from pydantic import BaseModel


class PostCreate(BaseModel):
    title: str


class Post(PostCreate):
    id: int
    author: str
