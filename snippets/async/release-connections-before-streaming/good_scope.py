"""FBP206, good: the session dependency ends with the route (FastAPI 0.121+)."""

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import StreamingResponse
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

EVENT_INTERVAL = 0.5  # seconds between two events of a stream

engine = create_async_engine(
    os.environ["DATABASE_URL"], pool_size=2, max_overflow=0, pool_timeout=0.5
)
Session = async_sessionmaker(engine)


# Names in PostgreSQL's style, chosen by the model instead of by the server.
POSTGRES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
app = FastAPI()


async def events(texts: list[str]) -> AsyncIterator[str]:
    for text in texts:
        yield f"data: {text}\n\n"
        await asyncio.sleep(EVENT_INTERVAL)


# --8<-- [start:stream]
@app.get("/messages/stream")
async def stream_messages(
    session: Annotated[AsyncSession, Depends(get_session, scope="function")],
) -> StreamingResponse:
    texts = list(await session.scalars(select(Message.text).order_by(Message.id)))
    return StreamingResponse(events(texts), media_type="text/event-stream")


# --8<-- [end:stream]


@app.get("/messages/count")
async def count_messages(session: SessionDep) -> dict[str, int]:
    count = await session.scalar(select(func.count()).select_from(Message))
    return {"count": count or 0}
