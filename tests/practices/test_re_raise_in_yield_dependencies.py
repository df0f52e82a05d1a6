"""FBP406: a dependency with yield that catches the route's exception and does not raise it
again turns every error of the route into a 500 whose log names no cause.

Each app is served by uvicorn on 127.0.0.1 against a fresh PostgreSQL database. The test
asks for a note that does not exist (the route raises HTTPException 404), posts a batch
whose third note repeats the second's slug (PostgreSQL raises a unique violation inside the
route) and a batch that is fine, then reads the statuses, the server's log and the table.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fastapi_practices.testing.live import LiveServer, live_server, snippet_path, wait_until
from fastapi_practices.testing.postgres import Database
from fastapi_practices.testing.versions import since

PRACTICE = "dependencies/re-raise-in-yield-dependencies"
NAMES = ("bad", "good", "good_finally")
GOOD = ("good", "good_finally")
# Since 0.110.0 an exception a dependency with yield swallows is gone; before it, FastAPI
# still answered from the route's exception (tested on 0.109.2 when this page was written).
SWALLOWED = "0.110.0"
# The error FastAPI raises in its place, with the wording before and since 0.118.0.
NO_RESPONSE = "FastAPIError: No response object was returned."
NOT_AWAITED = "FastAPIError: Response not awaited."
HINT = "a dependency with yield has a block with a bare except"
ERROR_LOGGED = "Exception in ASGI application"


def log_when_written(server: LiveServer, errors: int) -> str:
    """The server's log once it holds `errors` logged exceptions (polled, bounded: uvicorn
    logs an exception after the 500 has gone out)."""
    wait_until(lambda: server.output().count(ERROR_LOGGED) >= errors, timeout=5.0)
    return server.output()


@pytest.fixture(scope="module")
def seen(database: Database) -> Iterator[dict[str, dict[str, object]]]:
    database.execute("CREATE TABLE note (id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE)")
    out: dict[str, dict[str, object]] = {}
    for name in NAMES:
        env = {"DATABASE_URL": database.async_url}
        with live_server(snippet_path(PRACTICE, name), env=env) as server:
            missing = httpx.get(f"{server.url}/notes/999999", timeout=10)
            taken = [{"slug": f"{name}-{slug}"} for slug in ("first", "taken", "taken")]
            failed = httpx.post(f"{server.url}/notes", json=taken, timeout=10)
            fine = [{"slug": f"{name}-ok-{i}"} for i in range(2)]
            created = httpx.post(f"{server.url}/notes", json=fine, timeout=10)
            # bad.py logs both failed requests, good.py only the unexpected error.
            log = log_when_written(server, 2 if name == "bad" else 1)

        def stored(pattern: str) -> int:
            return database.fetch("SELECT count(*) FROM note WHERE slug LIKE $1", pattern)[0][0]

        out[name] = {
            "missing": missing,
            "failed": failed,
            "created": created,
            "failed_rows": stored(f"{name}-_%") - stored(f"{name}-ok-%"),
            "created_rows": stored(f"{name}-ok-%"),
            "log": log,
        }
    yield out


def test_bad_turns_a_404_into_a_500(seen) -> None:
    missing = seen["bad"]["missing"]
    if since("fastapi", SWALLOWED):
        assert missing.status_code == 500
        assert missing.text == "Internal Server Error"
    else:
        assert missing.status_code == 404


@pytest.mark.parametrize("name", GOOD)
def test_good_lets_the_404_through(seen, name) -> None:
    missing = seen[name]["missing"]
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Note not found"}


def test_bad_logs_a_fastapi_error_in_place_of_the_cause(seen) -> None:
    bad = seen["bad"]
    log = bad["log"]
    assert bad["failed"].status_code == 500
    if since("fastapi", SWALLOWED):
        # Both failed requests logged, as the same FastAPIError; the unique violation and
        # the 404 appear nowhere.
        wording = NOT_AWAITED if since("fastapi", "0.118.0") else NO_RESPONSE
        assert log.count(ERROR_LOGGED) == 2
        assert log.count(wording) == 2
        assert log.count(HINT) == 2
        assert "UniqueViolationError" not in log
        assert "IntegrityError" not in log
    else:
        assert "FastAPIError" not in log
        assert "UniqueViolationError" in log


@pytest.mark.parametrize("name", GOOD)
def test_good_logs_the_cause(seen, name) -> None:
    good = seen[name]
    log = good["log"]
    assert good["failed"].status_code == 500
    assert good["failed"].text == "Internal Server Error"
    assert log.count(ERROR_LOGGED) == 1  # the 404 is an answer, not an error
    assert "UniqueViolationError: duplicate key value violates unique constraint" in log
    assert "sqlalchemy.exc.IntegrityError" in log
    assert "FastAPIError" not in log


@pytest.mark.parametrize("name", NAMES)
def test_the_failed_batch_is_rolled_back_either_way(seen, name) -> None:
    app = seen[name]
    assert app["created"].status_code == 201
    assert app["created_rows"] == 2  # a batch that raises nothing is committed
    assert app["failed_rows"] == 0  # of the failed batch, not even the note before the error
