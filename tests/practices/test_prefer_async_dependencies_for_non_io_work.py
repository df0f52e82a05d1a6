"""FBP404: FastAPI runs a `def` dependency in AnyIO's thread pool, which holds 40 tokens;
an `async def` one runs on the event loop. A trivial sync dependency therefore queues
behind slow sync work once the pool is full, and an async one does not."""

import asyncio
import threading
import time

import anyio.from_thread
import anyio.to_thread
import httpx
import pytest

from fastapi_practices.testing.live import live_app, live_server, load_snippet, snippet_path
from fastapi_practices.testing.load import burst, opened
from fastapi_practices.testing.proc import process_status
from fastapi_practices.testing.versions import needs, since

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "dependencies/prefer-async-dependencies-for-non-io-work"
SLOW = 0.5  # seconds /export sleeps in the snippets
PROBES = 5
POOL = 40  # AnyIO's default thread limiter (asserted below)
EXPORTS = 60  # more than the pool's threads: it stays full, with a queue


def where_dependency_runs(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Serve the snippet in-process and see, from inside `pagination`, which thread runs it
    and how many thread-pool tokens are in use at that moment."""
    module = load_snippet(snippet_path(PRACTICE, name))
    seen: dict[str, object] = {}
    page_model = module.Page

    def limiter_state() -> tuple[int, int]:
        limiter = anyio.to_thread.current_default_thread_limiter()
        return int(limiter.total_tokens), int(limiter.borrowed_tokens)

    def recording_page(**fields: int):
        thread = threading.current_thread()
        seen["thread"] = thread.name
        in_worker = thread.name.startswith("AnyIO worker")
        # From a worker thread, ask the event loop; on the loop, ask directly.
        tokens = anyio.from_thread.run_sync(limiter_state) if in_worker else limiter_state()
        seen["total_tokens"], seen["borrowed_tokens"] = tokens
        return page_model(**fields)

    # `pagination` looks `Page` up in its module when it runs, so this sees every call.
    monkeypatch.setattr(module, "Page", recording_page)
    with live_app(module.app) as url:
        response = httpx.get(f"{url}/items", params={"limit": 500})
        seen["loop_thread"] = next(
            t.name for t in threading.enumerate() if t.name == f"uvicorn:{url.rsplit(':', 1)[1]}"
        )
    assert response.json() == {"limit": 100, "offset": 0}
    return seen


async def _pool_is_full(pid: int, limit: int) -> None:
    """Until the server runs `limit` worker threads: AnyIO starts one only when every
    existing one is busy, so with the exports holding theirs, all `limit` tokens are taken."""
    deadline = time.monotonic() + 10 * SLOW
    while process_status(pid)["Threads"] < limit + 1:  # + the event loop's own thread
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never ran {limit} worker threads")
        await asyncio.sleep(0.005)


async def _probe_while_pool_is_full(base: str, pid: int, exports: int) -> list[float]:
    # Every connection is open before the first request, so the exports reach the server at
    # once: with a client that connected as it sent, filling the pool took up to a fifth of
    # an export on a slow core, and the probes' wait shrank by as much.
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/items")).status_code == 200  # warm up
    urls = [f"{base}/export"] * exports + [f"{base}/items"] * PROBES
    async with asyncio.timeout(30), opened(*urls) as connections:
        slow, probes = connections[:exports], connections[exports:]
        sent = time.perf_counter()
        exporting = [asyncio.create_task(c.get()) for c in slow]
        await _pool_is_full(pid, POOL)
        latencies = await asyncio.gather(*(c.get() for c in probes))
        await asyncio.gather(*exporting)  # each answered 200
    # More exports than threads: two rounds of SLOW seconds, if SLOW is the snippet's.
    assert time.perf_counter() - sent >= 2 * SLOW
    return list(latencies)


def probe_latency(name: str, exports: int) -> float:
    """Median latency of PROBES concurrent /items calls sent once `exports` requests to the
    slow sync /export hold every thread of the pool."""
    with live_server(snippet_path(PRACTICE, name)) as server:
        latencies = asyncio.run(_probe_while_pool_is_full(server.url, server.process.pid, exports))
    return sorted(latencies)[len(latencies) // 2]


def test_sync_dependency_runs_in_a_worker_thread(monkeypatch, record) -> None:
    seen = where_dependency_runs("bad", monkeypatch)
    record(
        "bad_thread",
        "`bad.py`: thread that runs `def pagination`",
        seen["thread"],
        f"a worker thread, not the event loop; {seen['borrowed_tokens']} "
        f"of {seen['total_tokens']} tokens in use",
    )
    assert seen["thread"].startswith("AnyIO worker thread")
    assert seen["thread"] != seen["loop_thread"]
    # It holds a token of the default limiter while it runs.
    assert seen["total_tokens"] == POOL
    assert seen["borrowed_tokens"] == 1


def test_async_dependency_runs_on_the_event_loop(monkeypatch, record) -> None:
    seen = where_dependency_runs("good", monkeypatch)
    record(
        "good_thread",
        "`good.py`: thread that runs `async def pagination`",
        seen["thread"],
        f"the event loop thread; {seen['borrowed_tokens']} of {seen['total_tokens']} tokens in use",
    )
    assert seen["thread"] == seen["loop_thread"]
    assert seen["borrowed_tokens"] == 0


@pytest.fixture(scope="module")
def latencies() -> dict[str, float]:
    # More slow sync requests than the pool has tokens: the pool is full, with a queue.
    return {name: probe_latency(name, exports=EXPORTS) for name in ("bad", "good")}


def test_sync_dependency_waits_for_a_free_thread(latencies, record) -> None:
    bad, good = latencies["bad"], latencies["good"]
    record(
        "bad_latency",
        f"`bad.py`: `/items` latency while {EXPORTS} `/export` calls "
        f"({SLOW:g} s each) hold the pool, in units of one export",
        bad / SLOW,
        f"{bad / SLOW:.2f}× an export",
    )
    record(
        "ratio",
        "`/items` latency with the sync dependency ÷ with the async one",
        bad / good,
        f"{bad / good:.0f}×",
    )
    # The sync dependency waits until an export gives its thread back (the probes were sent
    # as soon as every thread was busy, early in the exports' second)...
    assert bad > 0.5 * SLOW
    # ...the async one does not queue for the pool (margins for 2 busy cores).
    assert bad > 2 * good


def test_async_dependency_is_not_slowed_by_a_full_pool(latencies, record) -> None:
    good = latencies["good"]
    record(
        "good_latency",
        f"`good.py`: `/items` latency while {EXPORTS} `/export` calls "
        f"({SLOW:g} s each) hold the pool, in units of one export",
        good / SLOW,
        f"{good / SLOW:.3f}× an export",
    )
    assert good < 0.4 * SLOW


def test_depends_takes_max_concurrency_from_0_163() -> None:
    """`max_concurrency` is a parameter of `Depends` from FastAPI 0.163.0 on; before, the
    same call is a TypeError (the matrix's older points check that side)."""
    from fastapi import Depends

    def load_tenant() -> int:
        return 1

    if since("fastapi", "0.163.0"):
        Depends(load_tenant, max_concurrency=2)
    else:
        with pytest.raises(TypeError, match="unexpected keyword argument 'max_concurrency'"):
            Depends(load_tenant, max_concurrency=2)  # type: ignore[call-arg]


@needs("fastapi", "0.163.0", "Depends(max_concurrency=...)")
def test_max_concurrency_caps_a_blocking_sync_dependency(record) -> None:
    """The page's advice for a sync dependency that must block: cap it, so it cannot take
    every thread of the pool."""
    from typing import Annotated

    from fastapi import Depends, FastAPI

    probe = FastAPI()
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    def load_tenant() -> int:  # stands in for a sync driver call
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.1)
        with lock:
            state["active"] -= 1
        return 1

    @probe.get("/tenant")
    async def tenant(
        value: Annotated[int, Depends(load_tenant, max_concurrency=2)],
    ) -> int:
        return value

    with live_app(probe) as url:
        answered = burst(f"{url}/tenant", 8, warm_up=False)  # fails on any status but 200
    assert len(answered.latencies) == 8
    record(
        "max_concurrency",
        "probe: 8 concurrent calls to a `def` dependency declared with "
        "`Depends(..., max_concurrency=2)`",
        state["peak"],
        f"at most {state['peak']} in worker threads at once",
    )
    assert state["peak"] == 2
