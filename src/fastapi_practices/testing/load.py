"""Load from the client side: bursts of simultaneous GETs, bounded in count and time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Burst:
    """What one burst measured."""

    wall: float  # seconds from the first request sent to the last answer
    latencies: list[float]  # each request's own latency, seconds
    probe: float | None  # latency of the probe request sent during the burst, seconds
    spans: list[tuple[float, float]]  # each request's send and answer, seconds from the start


class Connection:
    """One HTTP/1.1 GET over a socket opened in advance (see `opened`). Sending costs the
    client one write, so many requests are all written in one pass of the event loop, and
    what they time is the server, not the client's own overhead. `get` works once: it asks
    the server to close the connection."""

    def __init__(self, url: str) -> None:
        self.sent = 0.0  # when the request was written, perf_counter seconds
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.request = (
            f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} "
            f"HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n\r\n"
        ).encode()

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        """Close the socket, whether or not the request was sent (a no-op once closed)."""
        if self.writer is not None:
            self.writer.close()

    async def get(self) -> float:
        """Send the GET and read the whole answer: its latency in seconds. Raises unless the
        status is 200."""
        if self.reader is None or self.writer is None:
            raise RuntimeError("open() the connection first")
        start = self.sent = time.perf_counter()
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


@contextlib.asynccontextmanager
async def opened(*urls: str) -> AsyncIterator[list[Connection]]:
    """A connection to each URL, all open before the block starts and all closed after it,
    however it ends (a failed assertion leaves no socket behind to warn later)."""
    connections = [Connection(url) for url in urls]
    try:
        await asyncio.gather(*(c.open() for c in connections))
        yield connections
    finally:
        for connection in connections:
            connection.close()


async def _burst(
    url: str, n: int, probe_url: str | None, probe_delay: float, limit: float, warm_up: bool
) -> Burst:
    async with asyncio.timeout(limit):
        if warm_up:
            async with opened(url) as (first,):
                await first.get()
        urls = [url] * n + ([probe_url] if probe_url else [])
        async with opened(*urls) as opened_connections:
            connections = opened_connections[:n]
            probe_connection = opened_connections[n] if probe_url else None
            start = time.perf_counter()
            burst = [asyncio.create_task(c.get()) for c in connections]
            probe = None
            if probe_connection:
                await asyncio.sleep(probe_delay)
                probe = await probe_connection.get()
            latencies = await asyncio.gather(*burst)
            wall = time.perf_counter() - start
        spans = [
            (c.sent - start, c.sent - start + t)
            for c, t in zip(connections, latencies, strict=True)
        ]
        return Burst(wall, list(latencies), probe, spans)


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


def fastest_burst(
    url: str,
    n: int,
    *,
    tries: int = 2,
    probe_url: str | None = None,
    warm_up: bool = True,
) -> Burst:
    """Of `tries` bursts as `burst` sends them, the one with the shortest wall time: the first
    also pays for what the server starts on demand (its thread pool's threads), and a busy
    neighbour on the machine only ever makes a burst slower. Only `warm_up`'s first burst
    warms up."""
    bursts = [
        burst(url, n, probe_url=probe_url, warm_up=warm_up and attempt == 0)
        for attempt in range(tries)
    ]
    return min(bursts, key=lambda b: b.wall)


def answered_at(answers: list[float]) -> str:
    """Answer times grouped as a page shows them: one at 1.0, seven at 8.0 (times one request)."""
    counts: dict[str, int] = {}
    for answer in sorted(answers):
        key = f"{answer:.1f}×"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{count} at {key}" for key, count in counts.items())


def check_timeline(
    record: Callable[[str, str, object, str], None],
    name: str,
    spans: list[tuple[float, float]],
    *,
    blocking: bool,
) -> None:
    """Record a burst's timeline (each request's send and answer, in units of one request
    alone: the figures a timeline chart draws) and assert its shape. Blocking, at least
    half the answers come after 0.6 x the burst's size in request-times; otherwise every
    answer comes within 0.35 x."""
    answers = sorted(end for _, end in spans)
    record(
        f"timeline-{name}",
        f"`{name}.py`: when each request was answered, in units of one request alone",
        [[round(start, 3), round(end, 3)] for start, end in spans],
        answered_at(answers),
    )
    assert all(start < 0.1 for start, _ in spans), spans  # all sent at once
    if blocking:
        assert answers[len(answers) // 2] > 0.6 * len(spans), answers
    else:
        assert answers[-1] < 0.35 * len(spans), answers
