"""Helpers for the async practices (FBP202-FBP204): load bursts and two small server apps.

The apps are served by `live_server(Path(__file__), app=...)` in a uvicorn subprocess:
`thread_pool_probe` reports the thread limiter of the running server, and `slow_upstream`
is a slow HTTP service on 127.0.0.1 that a snippet's blocking client can call.
Every load here is bounded: a fixed number of requests, each with a timeout.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI

HERE = Path(__file__)
HOLD = 0.3  # how long a blocking call holds its thread, in seconds


# ------------------------------------------------------------------ load from the client side


@dataclass
class Burst:
    wall: float  # seconds from the first request sent to the last answer
    latencies: list[float]  # each request's own latency, seconds
    probe: float | None  # latency of the probe request sent during the burst, seconds


class _Connection:
    """One HTTP/1.1 GET over a socket opened in advance: the request costs the client almost
    nothing, so a burst of them measures the server and not the client's own overhead."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.request = (
            f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} "
            f"HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n\r\n"
        ).encode()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self) -> float:
        start = time.perf_counter()
        self.writer.write(self.request)
        await self.writer.drain()
        response = await self.reader.read()  # Connection: close, so this reads to the end
        elapsed = time.perf_counter() - start
        self.writer.close()
        await self.writer.wait_closed()
        status = response.split(b" ", 2)[1] if response.count(b" ") >= 2 else b"?"
        if status != b"200":
            raise AssertionError(f"GET {self.request.split()[1].decode()}: status {status!r}")
        return elapsed


async def _burst(
    url: str, n: int, probe_url: str | None, probe_delay: float, limit: float, warm_up: bool
) -> Burst:
    async with asyncio.timeout(limit):
        if warm_up:
            first = _Connection(url)
            await first.open()
            await first.get()
        connections = [_Connection(url) for _ in range(n)]
        await asyncio.gather(*(c.open() for c in connections))
        probe_connection = _Connection(probe_url) if probe_url else None
        if probe_connection:
            await probe_connection.open()
        start = time.perf_counter()
        burst = [asyncio.create_task(c.get()) for c in connections]
        probe = None
        if probe_connection:
            await asyncio.sleep(probe_delay)
            probe = await probe_connection.get()
        latencies = await asyncio.gather(*burst)
        return Burst(time.perf_counter() - start, list(latencies), probe)


def burst(
    url: str,
    n: int,
    *,
    probe_url: str | None = None,
    probe_delay: float = 0.1,
    timeout: float = 30.0,
    warm_up: bool = True,
) -> Burst:
    """Send `n` GETs to `url` at once, each on a connection opened beforehand, and, if given,
    one GET to `probe_url` `probe_delay` seconds later, while the burst is in flight.
    With `warm_up`, one GET to `url` first, outside the measurement."""
    if not 1 <= n <= 200:
        raise ValueError("n must be between 1 and 200")
    return asyncio.run(_burst(url, n, probe_url, probe_delay, timeout, warm_up))


def crunch(below: int) -> int:
    """The CPU-bound stand-in of FBP203's snippets, importable by a process pool's workers."""
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, below))


def cores_available(below: int = 150_000) -> float:
    """How many cores two CPU-bound processes get at once on this machine right now:
    2.0 when both cores are free, less when other work on the machine takes a share."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        list(pool.map(crunch, [10, 10]))  # start both workers
        cpu = process_tree_cpu(os.getpid())
        start = time.perf_counter()
        list(pool.map(crunch, [below, below]))
        return (process_tree_cpu(os.getpid()) - cpu) / (time.perf_counter() - start)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process, all its threads and its live child processes
    (a process pool's workers), from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except FileNotFoundError:
            continue  # exited meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        for task in Path(f"/proc/{current}/task").iterdir():
            children = task / "children"
            if children.exists():
                pending.extend(int(child) for child in children.read_text().split())
    return total


def process_status(pid: int) -> dict[str, int]:
    """Threads, and virtual and resident memory (KiB), of a process, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"Threads", "VmSize", "VmRSS"}:
            fields[key] = int(value.split()[0])
    return fields


# ------------------------------------------------------------------ served apps

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
    await asyncio.sleep(HOLD)  # a slow remote service; it serves callers concurrently
    return {"currency": currency, "day": day, "rate": 1.25}
