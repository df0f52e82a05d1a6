"""FBP902: state kept in a module-level dict splits across uvicorn workers; in PostgreSQL it
does not.

Each app is served with `uvicorn --workers 2` on 127.0.0.1, and every response names the
worker process (its PID) that answered. The test sends bounded batches of simultaneous
requests, each on a new connection, so that both workers answer some, and refuses to
conclude anything until it has seen both PIDs. A page-view counter must count every view
once, and a limit of LIMIT_PER_MINUTE requests a minute per API key must let exactly that
many through.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from fastapi_practices.testing.live import live_server, load_snippet, snippet_path
from fastapi_practices.testing.postgres import Database

PRACTICE = "operations/no-state-in-process-memory"
WORKERS = 2
BATCH = 10  # simultaneous requests, each on a connection of its own
VIEWS = (
    60  # page views sent to each app (then more, up to MAX_REQUESTS, until both workers answered)
)
QUOTA_TIMES = 4  # requests sent against the per-minute limit, in multiples of it
MAX_REQUESTS = 200  # bound on any one exercise
TIME_LIMIT = 20.0  # seconds, bound on any one exercise


async def _send(
    method: str, url: str, *, headers: dict[str, str], at_least: int
) -> list[httpx.Response]:
    """Batches of BATCH simultaneous requests until `at_least` were sent and two worker PIDs
    answered, bounded by MAX_REQUESTS and TIME_LIMIT."""
    responses: list[httpx.Response] = []
    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection, so any worker
    async with asyncio.timeout(TIME_LIMIT), httpx.AsyncClient(limits=limits, timeout=10) as client:
        while len(responses) < MAX_REQUESTS:
            if len(responses) >= at_least and len(pids(responses)) >= WORKERS:
                break
            batch = [client.request(method, url, headers=headers) for _ in range(BATCH)]
            responses += await asyncio.gather(*batch)
    return responses


def pids(responses: list[httpx.Response]) -> set[int]:
    return {r.json()["pid"] for r in responses}


def send(method: str, url: str, *, at_least: int, headers: dict[str, str] | None = None):
    return asyncio.run(_send(method, url, headers=headers or {}, at_least=at_least))


def away_from_minute_edge() -> None:
    """The limit counts per clock minute: start the quota exercise well inside one."""
    left = 60 - time.time() % 60
    if left < 4:
        time.sleep(left + 0.1)


async def create_schema(database: Database, schema: str) -> None:
    engine = create_async_engine(database.async_url)
    async with engine.begin() as connection:
        await connection.execute(sa.text(schema))
    await engine.dispose()


def exercise(name: str, env: dict[str, str]) -> dict[str, Any]:
    """Serve one app with two workers; count page views, then spend an API key's quota."""
    limit = load_snippet(snippet_path(PRACTICE, name)).LIMIT_PER_MINUTE
    server = live_server(snippet_path(PRACTICE, name), env=env, args=["--workers", str(WORKERS)])
    with server as served:
        url = served.url
        views = send("POST", f"{url}/pages/home/views", at_least=VIEWS)
        away_from_minute_edge()
        key = {"X-API-Key": uuid.uuid4().hex}
        quota = send("GET", f"{url}/quota", headers=key, at_least=QUOTA_TIMES * limit)
    for response in views:
        assert response.status_code == 200, response.text
    for response in quota:
        assert response.status_code in (200, 429), response.text
    return {"views": views, "quota": quota, "limit": limit}


@pytest.fixture(scope="module")
def results(database: Database) -> Iterator[dict[str, dict[str, Any]]]:
    good = load_snippet(snippet_path(PRACTICE, "good"))
    asyncio.run(create_schema(database, good.SCHEMA))
    env = {"DATABASE_URL": database.async_url}
    yield {name: exercise(name, env) for name in ("bad", "good")}


def per_worker_views(responses: list[httpx.Response]) -> dict[int, int]:
    """The highest count each worker reported."""
    highest: dict[int, int] = {}
    for r in responses:
        body = r.json()
        highest[body["pid"]] = max(highest.get(body["pid"], 0), body["views"])
    return highest


@pytest.mark.parametrize("name", ["bad", "good"])
def test_both_workers_answered(results: dict[str, dict[str, Any]], name: str) -> None:
    for exercise_name in ("views", "quota"):
        seen = pids(results[name][exercise_name])
        assert len(seen) == WORKERS, f"{name} {exercise_name}: only PIDs {seen} answered"


def test_bad_counter_depends_on_the_worker(results: dict[str, dict[str, Any]], record) -> None:
    views = results["bad"]["views"]
    assert len(pids(views)) == WORKERS
    highest = per_worker_views(views)
    # Each worker counted only the views it served, and the two counts add up to all of them.
    assert sum(highest.values()) == len(views)
    assert max(highest.values()) < len(views)
    # Each worker counted 1, 2, 3 ... over the views it served, so a count comes back twice.
    for pid in highest:
        served = sorted(r.json()["views"] for r in views if r.json()["pid"] == pid)
        assert served == list(range(1, len(served) + 1))
    counts = [r.json()["views"] for r in views]
    assert len(set(counts)) < len(counts)
    shares = sorted(highest.values(), reverse=True)
    record("bad_views_sent", "bad: page views sent", len(views), f"{len(views)}")
    record(
        "bad_views_highest",
        "bad: highest count any response reported",
        max(highest.values()),
        f"{max(highest.values())}",
    )
    record(
        "bad_views_per_worker",
        "bad: final count in each worker",
        shares[0],
        " and ".join(str(s) for s in shares),
    )


def test_good_counter_is_exact(results: dict[str, dict[str, Any]], record) -> None:
    views = results["good"]["views"]
    assert len(pids(views)) == WORKERS
    counts = sorted(r.json()["views"] for r in views)
    assert counts == list(range(1, len(views) + 1))  # every view counted once, none lost
    record("good_views_sent", "good: page views sent", len(views), f"{len(views)}")
    record(
        "good_views_highest",
        "good: highest count any response reported",
        counts[-1],
        f"{counts[-1]}",
    )


def allowed(responses: list[httpx.Response]) -> list[httpx.Response]:
    return [r for r in responses if r.status_code == 200]


def test_bad_limit_lets_through_up_to_twice(results: dict[str, dict[str, Any]], record) -> None:
    quota, limit = results["bad"]["quota"], results["bad"]["limit"]
    assert len(pids(quota)) == WORKERS
    passed = allowed(quota)
    # Each worker let through `limit` (or all it served, if fewer): more than the limit in all.
    for pid in pids(quota):
        served = [r for r in quota if r.json()["pid"] == pid]
        assert len(allowed(served)) == min(limit, len(served))
    assert limit < len(passed) <= WORKERS * limit
    record("limit", "limit per API key", limit, f"{limit} a minute")
    record("bad_quota_sent", "bad: requests sent with one key", len(quota), f"{len(quota)}")
    record("bad_quota_allowed", "bad: requests let through", len(passed), f"{len(passed)}")


def test_good_limit_holds(results: dict[str, dict[str, Any]], record) -> None:
    quota, limit = results["good"]["quota"], results["good"]["limit"]
    assert len(pids(quota)) == WORKERS
    passed = allowed(quota)
    assert len(passed) == limit
    assert sorted(r.json()["used"] for r in passed) == list(range(1, limit + 1))
    assert all(r.status_code == 429 for r in quota if r not in passed)
    record("good_quota_sent", "good: requests sent with one key", len(quota), f"{len(quota)}")
    record("good_quota_allowed", "good: requests let through", len(passed), f"{len(passed)}")
