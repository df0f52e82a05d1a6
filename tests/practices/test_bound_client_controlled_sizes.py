"""FBP805: every size a client controls needs an upper bound; without one, a single request
chooses how much the server fetches, builds and sends.

Both apps serve a list of items from a real PostgreSQL seeded with ITEMS rows, and accept a
note with a text and a list of tags. The test asks each for `?limit=1000000` and for a
normal page, and posts a note with a huge tag list: it counts rows and bytes, takes the time
of each request as a ratio, and reads the server process's peak resident memory (VmHWM,
reset before each request by writing 5 to /proc/<pid>/clear_refs).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql import text

from fastapi_practices.testing.live import LiveServer, live_server, snippet_path
from fastapi_practices.testing.postgres import Database

# Measures time: runs in the session of its own that `make test` gives the timing tests.
pytestmark = pytest.mark.timing

PRACTICE = "security/bound-client-controlled-sizes"
ITEMS = 50_000  # rows seeded
PAGE = 100  # the default page, and good.py's maximum
HUGE = 1_000_000  # what the careless (or hostile) client asks for
TAGS = 200_000  # tags in the huge note
REPEAT = 2  # each request's best of REPEAT counts


@dataclass
class Measured:
    status: int
    body: bytes
    seconds: float  # best of REPEAT
    growth: int  # peak resident memory of the server during the request, minus before


def status_kib(pid: int, field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    assert match, f"no {field} for process {pid}"
    return int(match.group(1))


def measure(server: LiveServer, method: str, path: str, **kwargs: object) -> Measured:
    """One request sent REPEAT times over a fresh client: its answer, best time and the
    largest peak memory growth of the server process."""
    pid = server.process.pid
    assert pid is not None
    best, growth = float("inf"), 0
    response = None
    for _ in range(REPEAT):
        before = status_kib(pid, "VmRSS")
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on
        with httpx.Client(base_url=server.url, timeout=60) as client:
            start = time.perf_counter()
            response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
            best = min(best, time.perf_counter() - start)
        growth = max(growth, (status_kib(pid, "VmHWM") - before) * 1024)
    assert response is not None
    return Measured(response.status_code, response.content, best, growth)


async def seed(database: Database) -> None:
    engine = create_async_engine(database.async_url)
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL)")
        )
        await connection.execute(
            text("INSERT INTO item SELECT i, 'item number ' || i FROM generate_series(1, :n) i"),
            {"n": ITEMS},
        )
    await engine.dispose()


HUGE_NOTE = {"text": "x" * 100, "tags": [f"t{i}" for i in range(TAGS)]}
LONG_NOTE = {"text": "x" * 1_000_000, "tags": ["a"]}
NOTE = {"text": "x" * 100, "tags": ["a", "b"]}


@pytest.fixture(scope="module")
def runs(database: Database) -> Iterator[dict[str, dict[str, Measured]]]:
    asyncio.run(seed(database))
    out: dict[str, dict[str, Measured]] = {}
    for name in ("bad", "good"):
        env = {"DATABASE_URL": database.async_url}
        with live_server(snippet_path(PRACTICE, name), env=env) as server:
            measure(server, "GET", f"/items?limit={PAGE}")  # warm up: connect, plan
            out[name] = {
                "page": measure(server, "GET", f"/items?limit={PAGE}"),
                "huge": measure(server, "GET", f"/items?limit={HUGE}"),
                "deep": measure(server, "GET", "/items?offset=40000"),
                "note": measure(server, "POST", "/notes", json=NOTE),
                "huge_note": measure(server, "POST", "/notes", json=HUGE_NOTE),
                "long_note": measure(server, "POST", "/notes", json=LONG_NOTE),
                "openapi": measure(server, "GET", "/openapi.json"),
            }
    yield out


def test_both_serve_a_normal_page_and_note(runs) -> None:
    for name in ("bad", "good"):
        page = json.loads(runs[name]["page"].body)
        assert runs[name]["page"].status == 200
        assert [item["id"] for item in page] == list(range(1, PAGE + 1))
        assert runs[name]["note"].status == 200
        assert json.loads(runs[name]["note"].body) == {"chars": 100, "tags": 2}


def test_an_unbounded_limit_returns_the_whole_table(runs, record) -> None:
    page, huge = runs["bad"]["page"], runs["bad"]["huge"]
    assert huge.status == 200
    rows = len(json.loads(huge.body))
    assert rows == ITEMS  # limit=1000000: every row there is
    record("bad-rows", f"`bad.py`, `?limit={HUGE}`: rows returned", rows, f"{rows:,}")
    size = len(huge.body) / len(page.body)
    record(
        "bad-bytes",
        f"`bad.py`, `?limit={HUGE}`: response size",
        len(huge.body),
        f"{len(huge.body) / 1024 / 1024:.1f} MiB ({size:.0f}× a page of {PAGE})",
    )
    ratio = huge.seconds / page.seconds
    record(
        "bad-time",
        f"`bad.py`: time of `?limit={HUGE}` / `?limit={PAGE}` (best of {REPEAT}, "
        f"{ITEMS:,} rows seeded)",
        round(ratio),
        f"{ratio:.0f}×",
    )
    record(
        "bad-memory",
        f"`bad.py`, `?limit={HUGE}`: server's peak memory growth",
        round(huge.growth / 1024 / 1024, 1),
        f"{huge.growth / 1024 / 1024:.0f} MiB",
    )
    assert size > 0.5 * ITEMS / PAGE
    assert ratio > 20  # 500 times the rows; a generous margin for 2 noisy cores
    assert huge.growth > 10 * 1024 * 1024


def test_a_bounded_limit_answers_422(runs) -> None:
    huge = runs["good"]["huge"]
    assert huge.status == 422
    [error] = json.loads(huge.body)["detail"]
    assert error["type"] == "less_than_equal"
    assert error["loc"] == ["query", "limit"]
    assert error["ctx"] == {"le": PAGE}
    [error] = json.loads(runs["good"]["deep"].body)["detail"]
    assert runs["good"]["deep"].status == 422
    assert (error["type"], error["loc"]) == ("less_than_equal", ["query", "offset"])
    assert runs["bad"]["deep"].status == 200


def test_an_unbounded_list_is_accepted_whole(runs, record) -> None:
    bad = runs["bad"]
    assert bad["huge_note"].status == 200
    assert json.loads(bad["huge_note"].body) == {"chars": 100, "tags": TAGS}
    assert bad["long_note"].status == 200
    assert json.loads(bad["long_note"].body) == {"chars": 1_000_000, "tags": 1}
    ratio = bad["huge_note"].seconds / bad["note"].seconds
    record(
        "bad-note-time",
        f"`bad.py`: time of a note with {TAGS:,} tags / a note with 2 (best of {REPEAT})",
        round(ratio),
        f"{ratio:.0f}×",
    )
    assert ratio > 5


def test_bounded_fields_answer_422(runs, record) -> None:
    good = runs["good"]
    assert good["huge_note"].status == 422
    [error] = json.loads(good["huge_note"].body)["detail"]
    assert (error["type"], error["loc"]) == ("too_long", ["body", "tags"])
    assert error["ctx"]["max_length"] == 20
    # The 422 still cost a full parse, and its detail echoes the whole list back.
    assert error["input"] == HUGE_NOTE["tags"]
    size = len(good["huge_note"].body)
    record(
        "good-422-bytes",
        f"`good.py`: size of the 422 for a note with {TAGS:,} tags (the input echoed)",
        size,
        f"{size / 1024 / 1024:.1f} MiB",
    )
    assert good["long_note"].status == 422
    [error] = json.loads(good["long_note"].body)["detail"]
    assert (error["type"], error["loc"]) == ("string_too_long", ["body", "text"])
    assert error["ctx"] == {"max_length": 2_000}


def test_the_bounds_are_in_openapi(runs) -> None:
    good = json.loads(runs["good"]["openapi"].body)
    bad = json.loads(runs["bad"]["openapi"].body)

    def limit(schema: dict) -> dict:
        [param] = [
            p for p in schema["paths"]["/items"]["get"]["parameters"] if p["name"] == "limit"
        ]
        return param["schema"]

    assert limit(good)["maximum"] == PAGE
    assert limit(good)["minimum"] == 1
    assert "maximum" not in limit(bad)
    assert "minimum" not in limit(bad)
    note = good["components"]["schemas"]["Note"]["properties"]
    assert note["text"]["maxLength"] == 2_000
    assert note["tags"]["maxItems"] == 20
    assert note["tags"]["items"]["maxLength"] == 30
    bad_note = bad["components"]["schemas"]["Note"]["properties"]
    assert "maxItems" not in bad_note["tags"]
    assert "maxLength" not in bad_note["tags"]["items"]
    assert "maxLength" not in bad_note["text"]
