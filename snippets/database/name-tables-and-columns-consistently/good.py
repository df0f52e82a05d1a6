from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic_settings import BaseSettings
from sqlalchemy import ForeignKey, MetaData, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Names in PostgreSQL's style, chosen by the model instead of by the server.
POSTGRES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


# --8<-- [start:models]
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)


class Author(Base):
    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))


class Post(Base):
    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime | None]
    publish_date: Mapped[date | None]


class PostLike(Base):
    __tablename__ = "post_like"

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), primary_key=True)


# --8<-- [end:models]


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...; no default: no URL, no start-up


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The engine (and its pool) is made once the app starts, from settings, and
    # disposed of when it stops; never at import.
    engine = create_async_engine(Settings().database_url)
    app.state.engine = engine
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(request.app.state.engine) as session:
        yield session


@app.get("/posts/{post_id}")
async def read_post(
    post_id: int, session: Annotated[AsyncSession, Depends(get_session)]
) -> dict[str, str]:
    post = await session.get(Post, post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    likes = await session.scalar(
        select(func.count()).select_from(PostLike).where(PostLike.post_id == post_id)
    )
    return {
        "title": post.title,
        "created": post.created_at.isoformat(),
        "likes": str(likes),
    }
