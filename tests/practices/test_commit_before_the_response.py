"""FBP405: a commit after the `yield` of a dependency runs after the client got its answer.

Each app is served by uvicorn on 127.0.0.1 against a fresh PostgreSQL database whose
`note.slug` is unique, checked at commit (`DEFERRABLE INITIALLY DEFERRED`), so a duplicate
fails at COMMIT and not at INSERT, and a concurrent transaction holding the same slug makes
the COMMIT wait. The test posts a duplicate and reads the note back; and it posts a note
while its commit has to wait, and looks at what the client got and could read meanwhile.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager

import asyncpg
import httpx
import pytest

from fastapi_practices.testing.live import (
    LiveServer,
    live_server,
    load_snippet,
    snippet_path,
    wait_until,
)
from fastapi_practices.testing.postgres import Database
from fastapi_practices.testing.versions import needs, since

PRACTICE = "dependencies/commit-before-the-response"
# Dependencies with yield exit after the response is sent again since this release
# (0.106.0 to 0.117.1 ran their exit code before sending it).
EXIT_AFTER_RESPONSE = "0.118.0"
SCOPE = needs("fastapi", "0.121.0", 'Depends(scope="function")')
VIOLATION = 'UniqueViolationError: duplicate key value violates unique constraint "note_slug_key"'
# Seconds the test waits for an answer while the commit waits: long where one is expected
# (bad.py since 0.118.0; a busy machine may be slow to deliver it), short where none is.
ANSWER_EXPECTED, NO_ANSWER_EXPECTED = 10.0, 0.5
_slugs = itertools.count()


@pytest.fixture(scope="module")
def db(database: Database) -> Database:
    database.execute(
        "CREATE TABLE note (id bigserial PRIMARY KEY, slug text NOT NULL,"
        " CONSTRAINT note_slug_key UNIQUE (slug) DEFERRABLE INITIALLY DEFERRED)"
    )
    return database


@pytest.fixture
def serve(db: Database) -> Callable[[str], AbstractContextManager[LiveServer]]:
    """`with serve("bad") as server:` serves a snippet on the module's database."""

    def start(name: str) -> AbstractContextManager[LiveServer]:
        return live_server(snippet_path(PRACTICE, name), env={"DATABASE_URL": db.async_url})

    return start


def slug(prefix: str) -> str:
    return f"{prefix}-{next(_slugs)}"


def post_duplicate(server: LiveServer, db: Database) -> tuple[httpx.Response, int]:
    """Post a slug twice; the second answer, and how many rows carry the slug afterwards."""
    # A connection per request: uvicorn closes one whose app raised after answering.
    name = slug("dup")
    first = httpx.post(f"{server.url}/notes", json={"slug": name}, timeout=10)
    assert first.status_code == 201, first.text
    second = httpx.post(f"{server.url}/notes", json={"slug": name}, timeout=10)
    if second.status_code == 201:
        # The client was told it exists: ask for it.
        read = httpx.get(f"{server.url}/notes/{second.json()['id']}", timeout=10)
        assert read.status_code == 404
    rows = db.fetch("SELECT count(*) FROM note WHERE slug = $1", name)[0][0]
    return second, rows


async def commit_waits(server: LiveServer, db: Database, wait: float) -> dict[str, object]:
    """Post a note while another transaction holds an uncommitted note with the same slug,
    so the app's deferred unique check waits at COMMIT until that transaction ends. What
    the client had and could read while the commit waited (`wait` seconds at most), then
    after it ended."""
    name = slug("wait")
    holder = await asyncpg.connect(**db.connect_kwargs(), timeout=10)
    watcher = await asyncpg.connect(**db.connect_kwargs(), timeout=10)
    out: dict[str, object] = {}
    try:
        held = holder.transaction()
        await held.start()
        await holder.execute("INSERT INTO note (slug) VALUES ($1)", name)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            post = asyncio.ensure_future(client.post("/notes", json={"slug": name}))
            out["waiting"] = await statement_waiting_on_a_lock(watcher, post)
            # The commit waits; has the client been answered meanwhile?
            done, _ = await asyncio.wait({post}, timeout=wait)
            if done:
                created = post.result()
                out["answered_while_waiting"] = created.status_code
                read = await client.get(f"/notes/{created.json()['id']}")
                out["read_while_waiting"] = read.status_code
            await held.rollback()  # the other transaction ends; the commit goes on
            created = await asyncio.wait_for(post, timeout=10)
            out["answered"] = created.status_code
            note = f"/notes/{created.json()['id']}"
            out["first_read_after"] = (await client.get(note)).status_code
            out["read_after"] = await read_when_committed(client, created.json()["id"])
    finally:
        await holder.close()
        await watcher.close()
    return out


async def statement_waiting_on_a_lock(watcher: asyncpg.Connection, post: asyncio.Future) -> str:
    """The statement of the app's session once it waits for another transaction to end
    (polled, bounded). Only that wait (`transactionid`) counts: a unique check waits so, at
    the INSERT or, deferred, at the COMMIT. Once, in a fresh clone's first `make test`, the
    INSERT was seen waiting on a lock of some other kind (the test did not record which)
    and was taken for the waiting statement."""
    for _ in range(1_000):
        query = await watcher.fetchval(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND wait_event = 'transactionid'"
        )
        if query is not None:
            return query.strip().rstrip(";")
        if post.done():
            post.result()  # raises if the request failed
        await asyncio.sleep(0.01)
    pytest.fail("the app's session never waited on the lock")


async def read_when_committed(client: httpx.AsyncClient, note_id: int) -> int:
    """The read once the app's commit finished (polled, bounded: after a 201 the commit
    of bad.py may still be on its way)."""
    for _ in range(500):
        read = await client.get(f"/notes/{note_id}")
        if read.status_code != 404:
            return read.status_code
        await asyncio.sleep(0.01)
    return 404


def log_when_written(server: LiveServer, text: str) -> str:
    """The server's log once `text` is in it (polled, bounded)."""
    wait_until(lambda: text in server.output(), timeout=5.0)
    return server.output()


def test_bad_acknowledges_a_write_whose_commit_then_fails(serve, db) -> None:
    with serve("bad") as server:
        second, rows = post_duplicate(server, db)
        log = log_when_written(server, VIOLATION)
    assert rows == 1  # the first note only
    assert VIOLATION in log  # the server saw the failed commit either way
    if since("fastapi", EXIT_AFTER_RESPONSE):
        # 201 with an id, then the commit fails: the note was never stored.
        assert second.status_code == 201
        assert second.json()["slug"].startswith("dup-")
    else:
        # The commit ran before the response: the failure is the client's 500.
        assert second.status_code == 500


@pytest.mark.parametrize("name", [pytest.param("good", marks=SCOPE), "good_commit_in_route"])
def test_good_reports_the_failed_commit(serve, db, name) -> None:
    with serve(name) as server:
        second, rows = post_duplicate(server, db)
        log = log_when_written(server, VIOLATION)
    assert rows == 1
    assert second.status_code == 500
    assert second.text == "Internal Server Error"
    assert VIOLATION in log


def test_scope_is_refused_before_0_121(db) -> None:
    """good.py needs `Depends(..., scope=...)`, which FastAPI 0.121.0 added."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", db.async_url)
        if since("fastapi", "0.121.0"):
            assert load_snippet(snippet_path(PRACTICE, "good")).app is not None
        else:
            with pytest.raises(TypeError, match="unexpected keyword argument 'scope'"):
                load_snippet(snippet_path(PRACTICE, "good"))


def test_bad_answers_201_while_the_commit_still_waits(serve, db) -> None:
    after = since("fastapi", EXIT_AFTER_RESPONSE)
    with serve("bad") as server:
        seen = asyncio.run(
            commit_waits(server, db, ANSWER_EXPECTED if after else NO_ANSWER_EXPECTED)
        )
    assert seen["waiting"] == "COMMIT"  # the INSERT went through; the COMMIT waits
    assert seen["answered"] == 201
    assert seen["read_after"] == 200
    if after:
        # Acknowledged before the commit, and not readable while it waits.
        assert seen["answered_while_waiting"] == 201
        assert seen["read_while_waiting"] == 404
    else:
        assert "answered_while_waiting" not in seen


@pytest.mark.parametrize("name", [pytest.param("good", marks=SCOPE), "good_commit_in_route"])
def test_good_answers_only_once_committed(serve, db, name) -> None:
    with serve(name) as server:
        seen = asyncio.run(commit_waits(server, db, NO_ANSWER_EXPECTED))
    assert seen["waiting"] == "COMMIT"
    assert "answered_while_waiting" not in seen  # no answer while the commit waits
    assert seen["answered"] == 201
    assert seen["first_read_after"] == 200  # committed before the 201 went out
    assert seen["read_after"] == 200
