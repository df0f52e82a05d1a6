"""FBP201: a blocking call in an `async def` route serialises every request the server gets."""

import pytest

from fastapi_practices.testing.live import live_server, single_get, snippet_path
from fastapi_practices.testing.load import burst

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "async/dont-block-the-event-loop"
CONCURRENT = 8


def concurrency_ratio(name: str) -> float:
    """Wall time of CONCURRENT simultaneous requests, in units of one request's latency."""
    with live_server(snippet_path(PRACTICE, name)) as server:
        url = f"{server.url}/report"
        one = single_get(url)
        measured = burst(url, CONCURRENT, warm_up=False)  # fails on any status but 200
    assert len(measured.latencies) == CONCURRENT
    return measured.wall / one


@pytest.fixture(scope="module")
def ratios() -> dict[str, float]:
    return {name: concurrency_ratio(name) for name in ("bad", "good", "good_await")}


def test_blocking_call_in_async_route_serialises_requests(ratios, record) -> None:
    record(
        "bad",
        f"`bad.py` ({CONCURRENT} concurrent requests, `async def` + `time.sleep`)",
        ratios["bad"],
        f"{ratios['bad']:.1f}× one request",
    )
    # Served one after another, CONCURRENT requests take about CONCURRENT times one request.
    assert ratios["bad"] > 0.6 * CONCURRENT


@pytest.mark.parametrize("name", ["good", "good_await"])
def test_thread_pool_or_await_serves_requests_together(ratios, record, name) -> None:
    how = "`def` route, thread pool" if name == "good" else "`async def` + `await asyncio.sleep`"
    record(
        name,
        f"`{name}.py` ({CONCURRENT} concurrent requests, {how})",
        ratios[name],
        f"{ratios[name]:.1f}× one request",
    )
    # Served together, they all finish in about the time of one (margin for 2 noisy cores).
    assert ratios[name] < 0.35 * CONCURRENT
    assert ratios["bad"] > 2.5 * ratios[name]
