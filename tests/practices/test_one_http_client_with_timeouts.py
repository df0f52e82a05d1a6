"""FBP207: one client from lifespan reuses one upstream connection and answers a hung
upstream with a 504 within its timeout; a client per request without a timeout opens a
connection per request and waits on a hung upstream for as long as the caller lets it."""

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from fastapi_practices.testing.live import live_server, load_snippet, snippet_path

# Measures time (the hung upstream): runs in the session the timing tests get.
pytestmark = pytest.mark.timing

PRACTICE = "async/one-http-client-with-timeouts"
REQUESTS = 20
"""Requests sent one after another to each app, each calling the upstream once."""
PATIENCE = 3
"""How many of the good app's timeouts the test waits before giving up on an answer."""


class _Rates(BaseHTTPRequestHandler):
    """A rates service that keeps connections alive (HTTP/1.1) and notes each one."""

    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle kept-alive connection is dropped after this, in seconds

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, each answer on a kept-alive
        # connection would wait for the client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.append(self.client_address[1])  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        body = json.dumps({"currency": self.path.rsplit("/", 1)[-1], "rate": 1.25}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def counting_upstream() -> Iterator[tuple[str, list[int]]]:
    """A real HTTP service on 127.0.0.1; yields its URL and the client port of every TCP
    connection it accepted."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rates)
    server.daemon_threads = True
    server.connections = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.connections  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextlib.contextmanager
def hung_upstream() -> Iterator[str]:
    """A socket that listens (the kernel completes each connection) and never answers;
    closed when the block ends, which is what finally frees a caller without a timeout."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def serve_requests(name: str) -> list[int]:
    """REQUESTS calls, one after another: the client ports of the connections the upstream
    accepted for them."""
    with (
        counting_upstream() as (upstream_url, connections),
        live_server(snippet_path(PRACTICE, name), env={"UPSTREAM_URL": upstream_url}) as app,
        httpx.Client(base_url=app.url, timeout=10) as client,
    ):
        for _ in range(REQUESTS):
            response = client.get("/rates/EUR")
            assert response.status_code == 200, response.text
            assert response.json() == {"rate": 1.25}
        return list(connections)


@pytest.fixture(scope="module")
def runs() -> dict[str, list[int]]:
    return {name: serve_requests(name) for name in ("bad", "good")}


@pytest.fixture(scope="module")
def timeout() -> float:
    """The good app's upstream timeout, in seconds, as its snippet sets it."""
    return load_snippet(snippet_path(PRACTICE, "good")).UPSTREAM_TIMEOUT


def test_httpx_default_timeout_is_five_seconds(record) -> None:
    """What a client built without `timeout=` does (httpx as installed)."""
    assert httpx.AsyncClient().timeout == httpx.Timeout(5.0)
    assert httpx.Client().timeout == httpx.Timeout(5.0)
    record(
        "httpx-default",
        f"`httpx.AsyncClient()` without `timeout=` (httpx {httpx.__version__})",
        5.0,
        "5 s each for connect, read, write and pool",
    )


def test_client_per_request_opens_a_connection_per_request(runs, record) -> None:
    bad = runs["bad"]
    record(
        "bad-connections",
        f"`bad.py`: upstream connections for {REQUESTS} requests (client per request)",
        len(bad),
        f"{len(bad)} connections",
    )
    assert len(bad) == REQUESTS
    assert len(set(bad)) == REQUESTS  # each from a port of its own


def test_one_client_from_lifespan_reuses_one_connection(runs, record) -> None:
    good = runs["good"]
    record(
        "good-connections",
        f"`good.py`: upstream connections for {REQUESTS} requests (one client from lifespan)",
        len(good),
        f"{len(good)} connection",
    )
    # The first request opened it; every later one reused it.
    assert len(good) == 1


def test_hung_upstream_answered_with_504_within_the_timeout(timeout, record) -> None:
    with (
        hung_upstream() as upstream_url,
        live_server(snippet_path(PRACTICE, "good"), env={"UPSTREAM_URL": upstream_url}) as app,
    ):
        start = time.monotonic()
        response = httpx.get(f"{app.url}/rates/EUR", timeout=PATIENCE * timeout)
        ratio = (time.monotonic() - start) / timeout
    record(
        "good-hung",
        "`good.py`, hung upstream: time to answer, in units of its timeout",
        round(ratio, 2),
        f"504 after {ratio:.2f}× the timeout",
    )
    assert response.status_code == 504
    assert response.json() == {"detail": "the rates service did not answer in time"}
    assert 0.9 < ratio < 2.0


def test_no_timeout_still_waits_when_the_caller_gives_up(timeout, record) -> None:
    with (
        hung_upstream() as upstream_url,
        live_server(snippet_path(PRACTICE, "bad"), env={"UPSTREAM_URL": upstream_url}) as app,
    ):
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{app.url}/rates/EUR", timeout=PATIENCE * timeout)
        waited = (time.monotonic() - start) / timeout
    record(
        "bad-hung",
        "`bad.py`, hung upstream: still no answer when the test gave up",
        PATIENCE,
        f"no answer after {PATIENCE}× the good app's timeout",
    )
    assert waited >= 0.9 * PATIENCE
