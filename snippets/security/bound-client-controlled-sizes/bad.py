from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

# Names in PostgreSQL's style, chosen by the model instead of by the server.
POSTGRES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

metadata = sa.MetaData(naming_convention=POSTGRES_NAMING_CONVENTION)
item = sa.Table(
    "item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)


class Settings(BaseSettings):
    database_url: str  # postgresql+asyncpg://...


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = create_async_engine(Settings().database_url)
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


async def connect(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as connection:
        yield connection


Connection = Annotated[AsyncConnection, Depends(connect)]


class Item(BaseModel):
    id: int
    name: str


# --8<-- [start:routes]
class Note(BaseModel):
    text: str
    tags: list[str]


@app.get("/items")
async def list_items(
    connection: Connection, limit: int = 100, offset: int = 0
) -> list[Item]:
    query = sa.select(item).order_by(item.c.id).limit(limit).offset(offset)
    rows = await connection.execute(query)
    return [Item.model_validate(row) for row in rows.mappings()]


@app.post("/notes")
async def create_note(note: Note) -> dict[str, int]:
    return {"chars": len(note.text), "tags": len(note.tags)}


# --8<-- [end:routes]
