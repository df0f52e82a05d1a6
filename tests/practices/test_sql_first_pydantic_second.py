"""FBP605: let PostgreSQL join and build the nested JSON in one query; Pydantic validates it.

Both apps serve the same feed of posts with their creator from a real PostgreSQL seeded with
1,200 posts by 200 creators. The test counts the SQL statements each request sends (an
engine event inside the app's process), times one request of each, and checks that the two
responses are byte for byte the same. It also runs the source guide's query form on the
SQLAlchemy we pin.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import ModuleType

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path
from fastapi_practices.testing.postgres import Database

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "database/sql-first-pydantic-second"
CREATORS, POSTS, PAGE = 200, 1_200, 100


@pytest.fixture(scope="module")
def apps(database: Database) -> Iterator[dict[str, ModuleType]]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", database.async_url)  # each app's settings read it at start-up
        modules = {name: load_snippet(snippet_path(PRACTICE, name)) for name in ("bad", "good")}
        asyncio.run(seed(database, modules["good"]))
        yield modules


async def seed(database: Database, app: ModuleType) -> None:
    engine = create_async_engine(database.async_url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    profiles = [
        {
            "id": uuid.UUID(int=i + 1),
            "first_name": f"Ada{i}",
            "last_name": f"Byron{i}",
            "username": f"creator{i}",
        }
        for i in range(CREATORS)
    ]
    posts = [
        {
            "id": uuid.UUID(int=100_000 + i),
            "creator_id": uuid.UUID(int=i % CREATORS + 1),
            "slug": f"post-{i}",
            "title": f"Post number {i}",
            "created_at": start + timedelta(minutes=i),
        }
        for i in range(POSTS)
    ]
    async with engine.begin() as connection:
        await connection.run_sync(app.metadata.create_all)
        await connection.execute(app.profile.insert(), profiles)
        await connection.execute(app.post.insert(), posts)
    await engine.dispose()


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to PostgreSQL while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


ROUNDS = 15  # alternating requests per app; each app's best round counts


def count_queries(url: str, engine: AsyncEngine) -> tuple[int, bytes]:
    """The SQL statements one request for a page sends, and the page."""
    feed = f"{url}/posts?limit={PAGE}"
    httpx.get(feed, timeout=30).raise_for_status()  # the first connect runs set-up SQL
    with statements_sent(engine) as statements:
        response = httpx.get(feed, timeout=30)
    assert response.status_code == 200
    return len(statements), response.content


@pytest.fixture(scope="module")
def measured(apps: dict[str, ModuleType]) -> dict[str, dict[str, object]]:
    """Both apps served at once; their requests alternate, so a noisy moment on the
    machine falls on both, and each app's best round is its latency."""
    with live_app(apps["bad"].app) as bad_url, live_app(apps["good"].app) as good_url:
        urls = {"bad": bad_url, "good": good_url}
        out: dict[str, dict[str, object]] = {}
        for name, url in urls.items():
            # The app makes its engine when it starts: count what that engine sends.
            queries, body = count_queries(url, apps[name].app.state.engine)
            out[name] = {"queries": queries, "body": body, "seconds": float("inf")}
        with httpx.Client(timeout=30) as client:
            for _ in range(ROUNDS):
                for name, url in urls.items():
                    start = time.perf_counter()
                    client.get(f"{url}/posts?limit={PAGE}").raise_for_status()
                    seconds = time.perf_counter() - start
                    out[name]["seconds"] = min(out[name]["seconds"], seconds)  # type: ignore[type-var]
    return out


def test_both_apps_return_the_same_response(measured) -> None:
    body = measured["good"]["body"]
    assert body == measured["bad"]["body"]
    feed = httpx.Response(200, content=body).json()
    assert len(feed) == PAGE
    assert feed[0]["slug"] == f"post-{POSTS - 1}"  # newest first
    assert set(feed[0]["creator"]) == {"id", "first_name", "last_name", "username"}


@pytest.mark.parametrize(("name", "expected"), [("good", 1), ("bad", 1 + PAGE)])
def test_queries_per_request(measured, record, name, expected) -> None:
    queries = measured[name]["queries"]
    how = "join + `json_build_object`" if name == "good" else "one query per post"
    record(
        f"{name}-queries",
        f"`{name}.py`: SQL statements for one page of {PAGE} posts ({how})",
        queries,
        str(queries),
    )
    assert queries == expected


def test_one_query_is_faster_than_one_per_row(measured, record) -> None:
    ratio = measured["bad"]["seconds"] / measured["good"]["seconds"]
    record(
        "ratio",
        f"Time for one page of {PAGE} posts, `bad.py` / `good.py` (best of {ROUNDS}, "
        f"{POSTS:,} posts seeded)",
        round(ratio, 1),
        f"{ratio:.1f}×",
    )
    # Round trips dominate: 101 of them against 1. Generous margin for 2 noisy cores.
    assert ratio > 2


def test_the_guides_query_form_is_rejected_by_sqlalchemy_2(apps, database) -> None:
    good = apps["good"]
    post, profile = good.post, good.profile
    creator = sa.func.json_build_object(
        sa.text("'id', profile.id"),
        sa.text("'first_name', profile.first_name"),
        sa.text("'last_name', profile.last_name"),
        sa.text("'username', profile.username"),
    ).label("creator")
    # The guide wraps the columns in a tuple: select((a, b, c)), the SQLAlchemy 1.x form.
    with pytest.raises(
        ArgumentError,
        match=r"Column expression, FROM clause, or other "
        r"columns clause element expected, got \(Column\('id'",
    ):
        sa.select((post.c.id, post.c.slug, post.c.title, creator))
    # Passed positionally, the same columns and text() fragments do run on PostgreSQL.
    query = (
        sa.select(post.c.id, post.c.slug, post.c.title, creator)
        .join_from(post, profile)
        .order_by(post.c.created_at.desc(), post.c.id)
        .limit(3)
    )

    async def run() -> list[dict[str, object]]:
        engine = create_async_engine(database.async_url)
        try:
            async with engine.connect() as connection:
                return [dict(row) for row in (await connection.execute(query)).mappings()]
        finally:
            await engine.dispose()

    rows = asyncio.run(run())
    assert [row["slug"] for row in rows] == [
        f"post-{POSTS - 1}",
        f"post-{POSTS - 2}",
        f"post-{POSTS - 3}",
    ]
    assert rows[0]["creator"] == {
        "id": str(uuid.UUID(int=CREATORS)),
        "first_name": f"Ada{CREATORS - 1}",
        "last_name": f"Byron{CREATORS - 1}",
        "username": f"creator{CREATORS - 1}",
    }
