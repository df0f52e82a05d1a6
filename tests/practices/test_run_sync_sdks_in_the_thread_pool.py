"""FBP204: a blocking SDK call in an `async def` route serialises the server; through
`run_in_threadpool` (or with an async client) the calls overlap.

The test starts a real, slow upstream service on 127.0.0.1 (fastapi_practices.testing.probe_apps,
`slow_upstream`, 0.15 s per call and able to serve many at once) and points each snippet at
it through the RATES_API_URL environment variable. The snippets call it with a real
`httpx.Client` (the stand-in for any synchronous SDK) or `httpx.AsyncClient`.
"""

from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest

from fastapi_practices.testing import probe_apps
from fastapi_practices.testing.lint import ruff_findings
from fastapi_practices.testing.live import live_server, snippet_path
from fastapi_practices.testing.load import burst, check_timeline

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PROBE_APPS = Path(probe_apps.__file__)

PRACTICE = "async/run-sync-sdks-in-the-thread-pool"
CONCURRENT = 8
NAMES = ("bad", "good", "good_async_client")


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    out = {}
    with live_server(PROBE_APPS, app="slow_upstream", module=probe_apps.__name__) as upstream:
        env = {"RATES_API_URL": upstream.url}
        for name in NAMES:
            with live_server(snippet_path(PRACTICE, name), env=env) as server:
                url = f"{server.url}/prices/eur"
                answer = httpx.get(url, params={"day": "2026-11-02"}, timeout=10).json()
                one = burst(url, 1, warm_up=False).wall  # the GET above warmed it up
                together = burst(url, CONCURRENT, warm_up=False)
            spans = sorted((start / one, end / one) for start, end in together.spans)
            out[name] = {"answer": answer, "ratio": together.wall / one, "one": one,
                         "spans": spans}  # fmt: skip
    return out


def test_each_request_on_a_timeline(measured, record) -> None:
    """The chart's figures. Blocking, the calls run one after another and at least half
    the answers leave only at the end; in the thread pool or awaiting, all after about one."""
    for name in NAMES:
        check_timeline(record, name, measured[name]["spans"], blocking=name == "bad")


@pytest.mark.parametrize("name", NAMES)
def test_the_call_reaches_the_upstream_with_its_arguments(measured, name) -> None:
    # The `day` query parameter travels as a keyword argument (params=...) through
    # run_in_threadpool, and the upstream echoes it back.
    assert measured[name]["answer"] == {"currency": "eur", "day": "2026-11-02", "rate": 1.25}
    # Each call waits for the upstream's hold (the page's "0.15 s per call").
    assert measured[name]["one"] >= probe_apps.UPSTREAM_HOLD == 0.15


def test_blocking_sdk_call_in_async_route_serialises_requests(measured, record) -> None:
    ratio = measured["bad"]["ratio"]
    record(
        "bad",
        f"`bad.py`: {CONCURRENT} requests at once (`httpx.Client` in `async def`)",
        ratio,
        f"{ratio:.1f}× one request",
    )
    # One upstream call at a time: CONCURRENT requests take about CONCURRENT times one.
    assert ratio > 0.6 * CONCURRENT


@pytest.mark.parametrize("name", ["good", "good_async_client"])
def test_thread_pool_or_async_client_lets_calls_overlap(measured, record, name) -> None:
    how = (
        "`run_in_threadpool(client.get, ...)`" if name == "good" else "`httpx.AsyncClient`, awaited"
    )
    ratio = measured[name]["ratio"]
    record(
        name,
        f"`{name}.py`: {CONCURRENT} requests at once ({how})",
        ratio,
        f"{ratio:.1f}× one request",
    )
    assert ratio < 0.35 * CONCURRENT
    assert measured["bad"]["ratio"] > 2.5 * ratio


def test_anyio_run_sync_takes_no_keyword_arguments() -> None:
    """The page's note: `anyio.to_thread.run_sync` passes positional arguments only, so a call
    with keyword arguments needs `run_in_threadpool` or `functools.partial`."""

    def call(path: str, *, params: dict[str, str]) -> str:
        return f"{path}?day={params['day']}"

    async def main() -> None:
        with pytest.raises(
            TypeError, match=r"run_sync\(\) got an unexpected keyword argument 'params'"
        ):
            await anyio.to_thread.run_sync(call, "/rates/eur", params={"day": "today"})

    anyio.run(main)


LINT_PROBE = """\
import httpx
import requests


async def through_a_parameter(client: httpx.Client) -> None:
    client.get("/rates/eur")


async def through_requests() -> None:
    requests.get("https://rates.example/eur", timeout=5)
"""


def async_findings(*args: str, stdin: str | None = None) -> list[tuple[str, int]]:
    """(rule, line) for ASYNC210 and ASYNC212 findings, ruff's own settings otherwise."""
    found = ruff_findings("--isolated", "--select", "ASYNC210,ASYNC212", *args, stdin=stdin)
    return sorted((d["code"], d["location"]["row"]) for d in found)


def test_ruff_knows_requests_and_an_annotated_httpx_client_but_not_bad_py() -> None:
    """The page's "Lint rarely saves you": each rule fires on its plain case, and neither on
    bad.py, whose client arrives through an `Annotated[..., Depends(...)]` alias."""
    probe = async_findings("--stdin-filename", "probe.py", "-", stdin=LINT_PROBE)
    assert probe == [("ASYNC210", 10), ("ASYNC212", 6)]
    assert async_findings(str(snippet_path(PRACTICE, "bad"))) == []
