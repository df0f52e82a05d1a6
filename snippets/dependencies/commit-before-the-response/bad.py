import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = create_async_engine(os.environ["DATABASE_URL"])
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


class NoteIn(BaseModel):
    slug: str


class Note(NoteIn):
    id: int


# --8<-- [start:app]
async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as connection:
        yield connection
        await connection.commit()  # after the yield: runs after the response is sent


Transaction = Annotated[AsyncConnection, Depends(transaction)]


@app.post("/notes", status_code=201)
async def create_note(note: NoteIn, connection: Transaction) -> Note:
    insert = sa.text("INSERT INTO note (slug) VALUES (:slug) RETURNING id")
    note_id = await connection.scalar(insert, {"slug": note.slug})
    return Note(id=note_id, slug=note.slug)


# --8<-- [end:app]


@app.get("/notes/{note_id}")
async def read_note(note_id: int, connection: Transaction) -> Note:
    select = sa.text("SELECT id, slug FROM note WHERE id = :id")
    row = (await connection.execute(select, {"id": note_id})).mappings().first()
    if row is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return Note.model_validate(row)
