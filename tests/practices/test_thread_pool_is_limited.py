"""FBP202: `def` routes and `def` dependencies share one limited thread pool per worker.

Measured on live uvicorn servers: the limit the running server reports, how requests past
it queue (latency in units of one request), that an `async def` route waits for a thread
when its dependency is a `def`, and what raising the limit costs in threads and memory.
"""

from pathlib import Path

import httpx
import pytest

from fastapi_practices.testing import probe_apps
from fastapi_practices.testing.live import live_server, single_get, snippet_path
from fastapi_practices.testing.load import burst, fastest_burst
from fastapi_practices.testing.probe_apps import HOLD
from fastapi_practices.testing.proc import process_status

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PROBE_APPS = Path(probe_apps.__file__)

PRACTICE = "async/thread-pool-is-limited"
SLOW = 1.5  # a request slower than 1.5x one request on its own waited for a thread


@pytest.fixture(scope="module")
def probe() -> dict[str, float]:
    """The default limit, and the wait of an async route whose dependency is sync or async
    while twice that many blocking requests hold every thread."""
    with live_server(PROBE_APPS, app="thread_pool_probe", module=probe_apps.__name__) as server:
        limit = httpx.get(f"{server.url}/limit").json()["total_tokens"]
        waits = {}
        for kind in ("sync", "async"):
            measured = burst(
                f"{server.url}/blocking",
                2 * limit,
                probe_url=f"{server.url}/async-route-{kind}-dependency",
                warm_up=kind == "sync",  # once is enough
            )
            assert measured.probe is not None
            waits[kind] = measured.probe / HOLD
    return {"limit": limit, **waits}


@pytest.fixture(scope="module")
def snippets(probe) -> dict[str, dict[str, float]]:
    n = 2 * int(probe["limit"])
    out = {}
    for name in ("bad", "good"):
        with live_server(snippet_path(PRACTICE, name)) as server:
            one = single_get(f"{server.url}/invoices", repeat=2)
            assert one >= HOLD == 0.3  # the page's "blocking for 0.3 s", the snippets' sleep
            before = process_status(server.process.pid)
            # The faster of two bursts: the first also pays for starting the threads, and a
            # busy neighbour on the machine only ever makes a run slower.
            # single_get warmed the server up.
            measured = fastest_burst(
                f"{server.url}/invoices", n, probe_url=f"{server.url}/whoami", warm_up=False
            )
            after = process_status(server.process.pid)
        assert measured.probe is not None
        new_threads = after["Threads"] - before["Threads"]
        out[name] = {
            "n": n,
            "ratio": measured.wall / one,
            "queued": sum(latency > SLOW * one for latency in measured.latencies),
            "whoami": measured.probe / one,
            "threads": after["Threads"],
            "virtual_kib_per_thread": (after["VmSize"] - before["VmSize"]) / new_threads,
            "resident_kib_per_thread": (after["VmRSS"] - before["VmRSS"]) / new_threads,
        }
    return out


def test_the_running_server_reports_the_default_limit(probe, record) -> None:
    record(
        "limit",
        "Threads the running server may use for sync code (`total_tokens`)",
        probe["limit"],
        f"{probe['limit']:.0f}",
    )
    # The page states AnyIO's default; if a release changes it, this fails so the page is fixed.
    assert probe["limit"] == 40


def test_requests_past_the_limit_wait_for_a_free_thread(probe, snippets, record) -> None:
    bad = snippets["bad"]
    n, limit = bad["n"], probe["limit"]
    record(
        "bad",
        f"`bad.py`: {n} requests at once to the `def` route (default pool)",
        bad["ratio"],
        f"{bad['ratio']:.1f}× one request; {bad['queued']} waited for a thread",
    )
    assert n == 2 * limit
    # Twice the limit: about two rounds of one request each (not one, and not three).
    assert 1.6 < bad["ratio"] < 2.9
    # Nearly every request waited, not only the ones past the limit: a `def` route with a
    # return type borrows a thread again to validate its result, and that second borrowing
    # queues behind the routes still waiting.
    assert bad["queued"] >= 0.9 * n > n - limit
    assert bad["threads"] < limit + 10


def test_raised_limit_serves_them_in_one_round(snippets, record) -> None:
    good, bad = snippets["good"], snippets["bad"]
    record(
        "good",
        f"`good.py`: {good['n']} requests at once (`total_tokens` raised to 100)",
        good["ratio"],
        f"{good['ratio']:.1f}× one request; {good['queued']} waited for a thread",
    )
    assert good["ratio"] < 1.5
    assert bad["ratio"] > 1.3 * good["ratio"]
    assert good["queued"] <= good["n"] / 10
    # One thread per request in flight: that is what the higher limit costs.
    assert good["threads"] >= good["n"]
    record(
        "threads",
        f"`good.py`: threads in the server process after the burst "
        f"(`bad.py`: {bad['threads']:.0f})",
        good["threads"],
        f"{good['threads']:.0f}",
    )
    record(
        "memory",
        "`good.py`: memory per extra worker thread, virtual / resident",
        [good["virtual_kib_per_thread"], good["resident_kib_per_thread"]],
        f"{good['virtual_kib_per_thread'] / 1024:.1f} MiB / "
        f"{max(good['resident_kib_per_thread'], 0):.0f} KiB",
    )
    # Each new thread reserves address space (its stack, malloc arenas) far beyond the pages
    # it touches: the page says so, and the figure above shows both.
    assert good["virtual_kib_per_thread"] > 20 * max(good["resident_kib_per_thread"], 1)


def test_sync_dependency_of_an_async_route_waits_for_a_thread(probe, snippets, record) -> None:
    bad, good = snippets["bad"], snippets["good"]
    record(
        "whoami-bad",
        "`bad.py`: `async def /whoami` with a `def` dependency, during the burst",
        bad["whoami"],
        f"waited {bad['whoami']:.1f}× one request",
    )
    record(
        "whoami-good",
        "`good.py`: the same route, `async def` dependency",
        good["whoami"],
        f"waited {good['whoami']:.2f}× one request",
    )
    assert bad["whoami"] > 0.8
    assert good["whoami"] < 0.5
    # The same comparison with every thread taken, default limit: only the `def` dependency
    # waits, so it is the dependency, not the route, that needs a thread.
    record(
        "probe",
        "Pool full (default limit): an `async def` route with a `def` / an `async def` dependency",
        [probe["sync"], probe["async"]],
        f"waited {probe['sync']:.1f}× / {probe['async']:.2f}× a blocking call",
    )
    assert probe["sync"] > 0.8
    assert probe["async"] < 0.5
