from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic_settings import BaseSettings
from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


# --8<-- [start:models]
class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (CheckConstraint("length(title) > 0"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(index=True)


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


@app.get("/posts/{slug}")
async def read_post(
    slug: str, session: Annotated[AsyncSession, Depends(get_session)]
) -> dict[str, str]:
    post = await session.scalar(select(Post).where(Post.slug == slug))
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return {"slug": post.slug, "title": post.title}
