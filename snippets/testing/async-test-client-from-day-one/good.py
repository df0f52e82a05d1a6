import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from main import app, get_pool


# --8<-- [start:pool]
@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def pool() -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(os.environ["DATABASE_URL"]) as pool:
        await pool.execute("DROP TABLE IF EXISTS posts")
        await pool.execute("CREATE TABLE posts (id int PRIMARY KEY, title text)")
        await pool.execute("INSERT INTO posts VALUES (1, 'Notes on engines')")
        app.dependency_overrides[get_pool] = lambda: pool
        yield pool
        app.dependency_overrides.clear()


# --8<-- [end:pool]


# --8<-- [start:client]
@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.anyio
async def test_read_post(client: AsyncClient, pool: asyncpg.Pool) -> None:
    response = await client.get("/posts/1")
    assert response.json() == {"id": 1, "title": "Notes on engines"}
    await pool.execute("UPDATE posts SET title = 'Engines, revised' WHERE id = 1")
    response = await client.get("/posts/1")
    assert response.json() == {"id": 1, "title": "Engines, revised"}


# --8<-- [end:client]
