"""FBP901: a ContextVar set by pure ASGI middleware puts each request's own ID on every log
line under 100 concurrent requests; a module-level variable mixes them up, a ContextVar set
in a `def` dependency is lost, and one set downstream never reaches a BaseHTTPMiddleware."""

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path

PRACTICE = "operations/request-id-on-every-log-line"
CONCURRENT = 100
KINDS = ("start", "end", "done")  # route before its await, route after it, after the app
LINE = re.compile(r"^request_id=(\S+) (start|end|done) n=(\d+)\s*$", re.MULTILINE)
DEPENDENCY_LINE = re.compile(r"^request_id=(\S+) dependency\s*$", re.MULTILINE)
GENERATED = re.compile(r"[0-9a-f]{32}")


def sent_id(n: int) -> str:
    return f"req-{n:08d}"


@dataclass
class Run:
    """What CONCURRENT requests, each with its own X-Request-ID, left in the server's log."""

    headers_echoed: int = 0  # responses whose X-Request-ID is the one the request sent
    lines: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, verdict)
    dependency_ids: list[str] = field(default_factory=list)

    def count(self, kind: str, verdict: str) -> int:
        return self.lines[(kind, verdict)]

    def total(self, verdict: str) -> int:
        return sum(self.count(kind, verdict) for kind in KINDS)


async def _send_all(url: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CONCURRENT)
    async with asyncio.timeout(30), httpx.AsyncClient(limits=limits, timeout=20) as client:
        return await asyncio.gather(
            *(
                client.get(f"{url}/work", params={"n": n}, headers={"X-Request-ID": sent_id(n)})
                for n in range(CONCURRENT)
            )
        )


def run(name: str) -> Run:
    result = Run()
    with live_server(snippet_path(PRACTICE, name)) as server:
        responses = asyncio.run(_send_all(server.url))
        assert [r.status_code for r in responses] == [200] * CONCURRENT
        result.headers_echoed = sum(
            r.headers.get("x-request-id") == sent_id(n) for n, r in enumerate(responses)
        )
        deadline = time.monotonic() + 5  # the "done" lines are written after the answer
        while len(LINE.findall(output := server.output())) < len(KINDS) * CONCURRENT:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    for rid, kind, n in LINE.findall(output):
        if rid == "-":
            verdict = "missing"
        elif rid == sent_id(int(n)):
            verdict = "own"
        else:
            verdict = "mixed up"
        result.lines[(kind, verdict)] += 1
    result.dependency_ids = DEPENDENCY_LINE.findall(output)
    return result


NAMES = (
    "good",
    "bad",
    "good_base_http",
    "bad_sync_dependency",
    "good_async_dependency",
    "bad_base_http_log",
)


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    return {name: run(name) for name in NAMES}


def record_run(record, name: str, result: Run, how: str) -> None:
    lines = sum(result.lines.values())
    record(
        f"{name}-mixed-up",
        f"`{name}.py` ({how}): log lines with another request's ID, of {lines}",
        result.total("mixed up"),
        f"{result.total('mixed up')} of {lines}",
    )
    record(
        f"{name}-missing",
        f"`{name}.py` ({how}): log lines with no ID, of {lines}",
        result.total("missing"),
        f"{result.total('missing')} of {lines}",
    )


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("good", "pure ASGI middleware, ContextVar"),
        ("good_base_http", "BaseHTTPMiddleware sets the ContextVar"),
        ("good_async_dependency", "`async def` dependency sets the ContextVar"),
    ],
)
def test_every_line_carries_its_own_request_id(runs, record, name, how) -> None:
    result = runs[name]
    record_run(record, name, result, how)
    for kind in KINDS:
        assert result.count(kind, "own") == CONCURRENT, (kind, result.lines)
    assert result.total("mixed up") == 0
    assert result.total("missing") == 0
    assert result.headers_echoed == CONCURRENT


def test_module_level_variable_mixes_up_ids_after_an_await(runs, record) -> None:
    result = runs["bad"]
    record_run(record, "bad", result, "module-level variable")
    assert result.headers_echoed == CONCURRENT  # the header is right: it is a local
    assert result.total("missing") == 0
    # Before the route's first await, the last request to arrive set the variable: its own.
    assert result.count("start", "own") == CONCURRENT
    # After the await, the variable holds whichever request set it last: most lines are wrong.
    assert result.count("end", "mixed up") > CONCURRENT // 2
    assert result.count("done", "mixed up") > CONCURRENT // 2


def test_contextvar_set_in_a_def_dependency_is_lost(runs, record) -> None:
    result = runs["bad_sync_dependency"]
    record_run(record, "bad_sync_dependency", result, "`def` dependency sets the ContextVar")
    # In the worker thread, right after setting it, the dependency's own line has the ID ...
    assert sorted(result.dependency_ids) == sorted(sent_id(n) for n in range(CONCURRENT))
    # ... but the thread's copy of the context never comes back: no later line has one.
    for kind in KINDS:
        assert result.count(kind, "missing") == CONCURRENT, (kind, result.lines)
    assert result.total("mixed up") == 0
    assert result.headers_echoed == CONCURRENT  # the response header is set, though


def test_contextvar_set_downstream_never_reaches_base_http_middleware(runs, record) -> None:
    result = runs["bad_base_http_log"]
    record_run(record, "bad_base_http_log", result, "`async def` dependency, BaseHTTPMiddleware")
    assert result.count("start", "own") == CONCURRENT
    assert result.count("end", "own") == CONCURRENT
    # call_next runs the app in a task of its own: what it set stays in that task.
    assert result.count("done", "missing") == CONCURRENT


def test_missing_or_malformed_header_gets_a_generated_id() -> None:
    with live_server(snippet_path(PRACTICE, "good")) as server:
        absent = httpx.get(f"{server.url}/work", params={"n": 1}, timeout=10)
        malformed = httpx.get(
            f"{server.url}/work", params={"n": 2}, headers={"X-Request-ID": "a b;c"}, timeout=10
        )
        kept = httpx.get(
            f"{server.url}/work", params={"n": 3}, headers={"X-Request-ID": sent_id(3)}, timeout=10
        )
        deadline = time.monotonic() + 5
        while len(LINE.findall(output := server.output())) < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
    generated = [absent.headers["x-request-id"], malformed.headers["x-request-id"]]
    assert all(GENERATED.fullmatch(rid) for rid in generated), generated
    assert generated[0] != generated[1]
    assert kept.headers["x-request-id"] == sent_id(3)
    lines = LINE.findall(output)
    for n, rid in ((1, generated[0]), (2, generated[1]), (3, sent_id(3))):
        assert [line[0] for line in lines if line[2] == str(n)] == [rid] * len(KINDS)
