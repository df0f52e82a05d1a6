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


async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as connection:
        try:
            yield connection
        except Exception:
            await connection.rollback()  # and the exception ends here


Transaction = Annotated[AsyncConnection, Depends(transaction)]


@app.post("/notes", status_code=201)
async def create_notes(notes: list[NoteIn], connection: Transaction) -> list[Note]:
    insert = sa.text("INSERT INTO note (slug) VALUES (:slug) RETURNING id")
    created = []
    for note in notes:  # a slug already taken raises IntegrityError here
        note_id = await connection.scalar(insert, {"slug": note.slug})
        created.append(Note(id=note_id, slug=note.slug))
    await connection.commit()
    return created


@app.get("/notes/{note_id}")
async def read_note(note_id: int, connection: Transaction) -> Note:
    select = sa.text("SELECT id, slug FROM note WHERE id = :id")
    row = (await connection.execute(select, {"id": note_id})).mappings().first()
    if row is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return Note.model_validate(row)
