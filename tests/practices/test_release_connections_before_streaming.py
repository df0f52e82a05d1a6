"""FBP206: a stream served while its route's session is open keeps a pooled connection
until the stream ends (FastAPI 0.118.0 and later), so with a small pool other requests fail;
loading the rows and closing the session first, or `Depends(scope="function")`, keeps the
pool free."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from fastapi_practices.testing.live import live_server, load_snippet, snippet_path
from fastapi_practices.testing.postgres import Database
from fastapi_practices.testing.versions import needs, since

PRACTICE = "async/release-connections-before-streaming"
MESSAGES = 4  # rows, so events in each stream
STREAMS = 2  # as many as the snippets' pool holds (pool_size=2, max_overflow=0)
OTHERS = 4  # short requests sent while the streams are open
POOL_ERROR = "QueuePool limit of size 2 overflow 0 reached"
HELD = since("fastapi", "0.118.0")  # the yield dependency's exit runs after the response


@pytest.fixture(scope="module")
def snippets(database: Database) -> Iterator[dict[str, ModuleType]]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", database.async_url)
        bad = load_snippet(snippet_path(PRACTICE, "bad"))
        asyncio.run(seed(database, bad))
        yield {"bad": bad}


async def seed(database: Database, app: ModuleType) -> None:
    engine = create_async_engine(database.async_url)
    async with engine.begin() as connection:
        await connection.run_sync(app.Base.metadata.create_all)
        await connection.execute(
            app.Message.__table__.insert(),
            [{"id": i, "text": f"message {i}"} for i in range(1, MESSAGES + 1)],
        )
    await engine.dispose()


@dataclass
class Run:
    others: list[int]  # status of each short request sent while the streams were open
    events: list[int]  # events each stream delivered
    streams: list[int]  # status of each stream
    after: int  # status of a short request once the streams ended
    log: str


async def scenario(url: str) -> tuple[list[int], list[int], list[int], int]:
    async with httpx.AsyncClient(timeout=10) as client:
        streams = [
            await client.send(client.build_request("GET", f"{url}/messages/stream"), stream=True)
            for _ in range(STREAMS)
        ]
        try:
            chunks = [s.aiter_text() for s in streams]
            events = [(await anext(c)).count("data: ") for c in chunks]  # all streams running
            others = await asyncio.gather(
                *(client.get(f"{url}/messages/count") for _ in range(OTHERS))
            )
            for i, chunk in enumerate(chunks):
                async for text in chunk:
                    events[i] += text.count("data: ")
        finally:
            for s in streams:
                await s.aclose()
        after = await client.get(f"{url}/messages/count")
    return (
        [r.status_code for r in others],
        events,
        [s.status_code for s in streams],
        after.status_code,
    )


def run(name: str, database: Database) -> Run:
    env = {"DATABASE_URL": database.async_url}
    with live_server(snippet_path(PRACTICE, name), env=env) as server:
        others, events, streams, after = asyncio.run(asyncio.wait_for(scenario(server.url), 30))
        return Run(others, events, streams, after, server.output())


def check_streams(result: Run) -> None:
    assert result.streams == [200] * STREAMS
    assert result.events == [MESSAGES] * STREAMS
    assert result.after == 200  # the pool is free again once the streams end


def test_stream_holds_the_connection(snippets, database, record) -> None:
    result = run("bad", database)
    check_streams(result)
    failed = result.others.count(500)
    if HELD:
        assert result.others == [500] * OTHERS
        assert POOL_ERROR in result.log
    else:  # before 0.118.0 the session closed before the response was sent
        assert result.others == [200] * OTHERS
        assert POOL_ERROR not in result.log
    record(
        "bad",
        f"`bad.py`: short requests answered 500 while {STREAMS} streams ran",
        failed,
        f"{failed} of {OTHERS}",
    )


@pytest.mark.parametrize(
    "name",
    [
        "good",
        pytest.param(
            "good_scope",
            marks=needs("fastapi", "0.121.0", 'Depends(scope="function")'),
        ),
    ],
)
def test_released_connection_serves_others(snippets, database, record, name) -> None:
    result = run(name, database)
    check_streams(result)
    assert result.others == [200] * OTHERS
    assert POOL_ERROR not in result.log
    failed = result.others.count(500)
    record(
        name,
        f"`{name}.py`: short requests answered 500 while {STREAMS} streams ran",
        failed,
        f"{failed} of {OTHERS}",
    )
