"""Two small apps the async practices' tests serve with uvicorn, beside the snippets.

`thread_pool_probe` reports and exercises the thread limiter of the server it runs in;
`slow_upstream` is a slow HTTP service on 127.0.0.1 that a snippet's blocking client calls.
Serve one with `live_server(Path(probe_apps.__file__), app="slow_upstream")`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI

HOLD = 0.3
"""How long a blocking call holds its thread, in seconds."""
UPSTREAM_HOLD = 0.15
"""How long the slow upstream takes to answer, in seconds."""

thread_pool_probe = FastAPI()


@thread_pool_probe.get("/limit")
async def limit() -> dict[str, int]:
    limiter = anyio.to_thread.current_default_thread_limiter()
    return {"total_tokens": int(limiter.total_tokens)}


@thread_pool_probe.get("/blocking")
def blocking() -> dict[str, bool]:
    time.sleep(HOLD)
    return {"done": True}


def sync_dependency() -> str:
    return "computed on a worker thread"


async def async_dependency() -> str:
    return "computed on the event loop"


@thread_pool_probe.get("/async-route-sync-dependency")
async def async_route_sync_dependency(
    value: Annotated[str, Depends(sync_dependency)],
) -> dict[str, str]:
    return {"value": value}


@thread_pool_probe.get("/async-route-async-dependency")
async def async_route_async_dependency(
    value: Annotated[str, Depends(async_dependency)],
) -> dict[str, str]:
    return {"value": value}


slow_upstream = FastAPI()


@slow_upstream.get("/rates/{currency}")
async def rate(currency: str, day: str = "today") -> dict[str, str | float]:
    await asyncio.sleep(UPSTREAM_HOLD)  # a slow remote service; it serves callers concurrently
    return {"currency": currency, "day": day, "rate": 1.25}
