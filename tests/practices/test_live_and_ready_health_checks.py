"""FBP904: a liveness route that checks nothing and a readiness route that checks PostgreSQL
within its own deadline tell an orchestrator the truth when the database goes away.

Each app reaches a real PostgreSQL through a relay on 127.0.0.1 that the test switches:
`open` forwards to the server, `closed` drops every connection at once (a database that is
down), `hang` accepts connections and never answers (a database that hangs). Switching away
from `open` also cuts the connections the app's pool already holds.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path
from fastapi_practices.testing.postgres import Database

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "operations/live-and-ready-health-checks"
READY_TIMEOUT = 0.5  # seconds: good.py's READY_TIMEOUT, set through its settings
PROBE_TIMEOUT = 4 * READY_TIMEOUT  # the orchestrator's probe timeout, as a probe would set it


class Relay:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL that the test can switch."""

    def __init__(self, upstream: tuple[int, str | tuple[str, int]]) -> None:
        self.family, self.address = upstream
        self.mode = "open"
        self.held: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == "closed":
                client.close()
            elif self.mode == "hang":
                self._hold(client)  # accepted, never read, never answered
            else:
                server = socket.socket(self.family, socket.SOCK_STREAM)
                server.settimeout(5)
                server.connect(self.address)
                server.settimeout(None)
                self._hold(client, server)
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _hold(self, *sockets: socket.socket) -> None:
        with self.lock:
            self.held.extend(sockets)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def switch(self, mode: str) -> None:
        """Set the mode; leaving `open` also cuts every connection made so far."""
        self.mode = mode
        if mode != "open":
            with self.lock:
                held, self.held = self.held, []
            for s in held:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.running = False
        self.switch("closed")
        self.thread.join(timeout=5)
        self.listener.close()


def upstream_of(database: Database) -> tuple[int, str | tuple[str, int]]:
    """Where the test's PostgreSQL listens: its Unix socket, or host and port."""
    kwargs = database.connect_kwargs()
    host, port = kwargs["host"], kwargs["port"] or 5432
    if host and str(host).startswith("/"):
        return socket.AF_UNIX, str(Path(host) / f".s.PGSQL.{port}")
    return socket.AF_INET, (host or "127.0.0.1", port)


@pytest.fixture(scope="module")
def relay(database: Database) -> Iterator[tuple[Relay, dict[str, str]]]:
    gate = Relay(upstream_of(database))
    url = f"postgresql+asyncpg://{database.url.username}@127.0.0.1:{gate.port}/{database.name}"
    env = {"DATABASE_URL": url, "READY_TIMEOUT": str(READY_TIMEOUT)}
    try:
        yield gate, env
    finally:
        gate.close()


def probe(url: str) -> tuple[int | str, float]:
    """What an orchestrator's HTTP probe sees: a status, or "timeout"; and the seconds it took."""
    start = time.perf_counter()
    try:
        status: int | str = httpx.get(url, timeout=PROBE_TIMEOUT).status_code
    except httpx.TimeoutException:
        status = "timeout"
    return status, time.perf_counter() - start


def until_status(url: str, expected: int, *, attempts: int = 20) -> int | str:
    """Probe (at most `attempts` times, a probe period apart) until `expected` comes."""
    status: int | str = "never probed"
    for _ in range(attempts):
        status, _ = probe(url)
        if status == expected:
            break
        time.sleep(0.1)
    return status


def test_bad_health_says_ok_while_the_database_is_down(relay) -> None:
    gate, env = relay
    gate.switch("open")
    with live_server(snippet_path(PRACTICE, "bad"), env=env) as server:
        assert httpx.get(f"{server.url}/now", timeout=10).status_code == 200
        gate.switch("closed")
        try:
            # The instance cannot serve a request, and its only probe says all is well.
            assert httpx.get(f"{server.url}/now", timeout=10).status_code == 500
            assert probe(f"{server.url}/health")[0] == 200
        finally:
            gate.switch("open")


def test_bad_blocking_health_outlasts_the_probe(relay, record) -> None:
    gate, env = relay
    gate.switch("open")
    with live_server(snippet_path(PRACTICE, "bad_blocking"), env=env) as server:
        assert probe(f"{server.url}/health")[0] == 200
        gate.switch("hang")
        try:
            status, seconds = probe(f"{server.url}/health")
        finally:
            gate.switch("open")
    # Nothing answers before the probe gives up: the orchestrator sees a timeout, not a 503.
    assert status == "timeout"
    assert seconds >= PROBE_TIMEOUT * 0.9
    record(
        "blocking-health",
        "`bad_blocking.py` `/health`, database hanging",
        "timeout",
        f"no answer within the probe's timeout "
        f"({PROBE_TIMEOUT / READY_TIMEOUT:.0f}× good.py's `READY_TIMEOUT`)",
    )


@pytest.mark.parametrize("outage", ["closed", "hang"])
def test_good_livez_stays_up_and_readyz_says_503_in_time(relay, record, outage: str) -> None:
    gate, env = relay
    gate.switch("open")
    with live_server(snippet_path(PRACTICE, "good"), env=env) as server:
        livez, readyz = f"{server.url}/livez", f"{server.url}/readyz"
        assert probe(livez)[0] == 200
        assert probe(readyz)[0] == 200
        gate.switch(outage)
        try:
            live = probe(livez)
            ready_status, ready_seconds = probe(readyz)
        finally:
            gate.switch("open")
        # Back again: ready once more, with no restart.
        assert until_status(readyz, 200) == 200
    assert live[0] == 200
    assert ready_status == 503
    ratio = ready_seconds / READY_TIMEOUT
    if outage == "hang":
        # It waited for its own deadline, and not much more: well inside the probe's.
        assert 0.9 <= ratio <= 3.0
        record(
            "readyz-hang",
            "`good.py` `/readyz`, database hanging: answer time / its timeout",
            round(ratio, 2),
            f"503 after {ratio:.1f}× its timeout",
        )
    else:
        # A database that refuses is seen at once, well before the deadline.
        assert ratio < 1.0
        record(
            "readyz-down",
            "`good.py` `/readyz`, database down: answer time / its timeout",
            round(ratio, 2),
            f"503 after {ratio:.2f}× its timeout",
        )
