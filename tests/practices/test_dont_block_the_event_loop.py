"""FBP201: a blocking call in an `async def` route serialises every request the server gets."""

import pytest

from fastapi_practices.testing.live import live_server, single_get, snippet_path
from fastapi_practices.testing.load import check_timeline, fastest_burst

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "async/dont-block-the-event-loop"
CONCURRENT = 8


NAMES = ("bad", "good", "good_await")


def concurrency(name: str) -> tuple[float, list[tuple[float, float]]]:
    """Wall time of CONCURRENT simultaneous requests, and each request's send and answer,
    all in units of one request's latency."""
    with live_server(snippet_path(PRACTICE, name)) as server:
        url = f"{server.url}/report"
        one = single_get(url)
        # The faster of two bursts (each fails on any status but 200). That favours the good
        # routes, whose first burst also starts the pool's threads, and a busy neighbour only
        # ever slows a burst; the bad route's ratio can only come out lower.
        measured = fastest_burst(url, CONCURRENT, warm_up=False)
    assert len(measured.latencies) == CONCURRENT
    spans = sorted((start / one, end / one) for start, end in measured.spans)
    return measured.wall / one, spans


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[float, list[tuple[float, float]]]]:
    return {name: concurrency(name) for name in NAMES}


@pytest.fixture(scope="module")
def ratios(runs) -> dict[str, float]:
    return {name: ratio for name, (ratio, _) in runs.items()}


def test_each_request_on_a_timeline(runs, record) -> None:
    """The chart's figures. Blocking, the calls run one after another and at least half
    the answers leave only at the end; in the thread pool or awaiting, all after about one."""
    for name in NAMES:
        check_timeline(record, name, runs[name][1], blocking=name == "bad")


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
