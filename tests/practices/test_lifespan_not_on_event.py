"""FBP103: a lifespan opens and closes its resources exactly once on a live uvicorn; once
an app has a lifespan, its `on_event` handlers never run, and nothing says so at runtime."""

import asyncio
import warnings
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette

from fastapi_practices.testing.live import (
    finish_stopping,
    live_app,
    live_server,
    load_snippet,
    snippet_path,
)
from fastapi_practices.testing.versions import since

PRACTICE = "project-structure/lifespan-not-on-event"
ON_EVENT_DEPRECATED = "on_event is deprecated, use lifespan event handlers instead."
POOL_SIZE = 2
"""min_size and max_size of the pool both snippets open."""
MARKS = (
    "settings loaded",
    "database pool opened",
    "Application startup complete.",
    "Waiting for application shutdown.",
    "database pool closed",
    "Application shutdown complete.",
)
"""The log lines (the snippets' and uvicorn's) whose order the test checks."""


def pool_connections(database) -> int:
    """Connections open to the test's database, other than the test's own."""

    async def count() -> int:
        conn = await asyncpg.connect(**database.connect_kwargs())
        try:
            return await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()

    return asyncio.run(count())


def serve(name: str, database) -> tuple[httpx.Response, int, list[str], list[str]]:
    """Start the snippet on uvicorn, call /health, count the database connections while it
    serves, stop it; returns the answer, the count, the marked log lines in order and the
    whole log."""
    env = {"DATABASE_URL": database.plain_url}
    with live_server(snippet_path(PRACTICE, name), env=env, args=["--log-level", "info"]) as app:
        log = Path(app.log.name).open("rb")  # noqa: SIM115  (read after the server is gone)
        response = httpx.get(f"{app.url}/health", timeout=10)
        connections = pool_connections(database)
    finish_stopping()  # the server has shut down (SIGTERM, lifespan shutdown) and exited
    with log:
        lines = log.read().decode(errors="replace").splitlines()
    marked = [mark for line in lines for mark in MARKS if line.endswith(mark)]
    return response, connections, marked, lines


def test_lifespan_opens_and_closes_the_pool_once(database, record) -> None:
    response, connections, marked, _ = serve("good", database)
    assert response.status_code == 200
    assert response.json() == {"database": 1}
    assert connections == POOL_SIZE  # opened once: twice would hold twice as many
    assert marked == list(MARKS)  # opened before serving, closed at shutdown, once each
    assert pool_connections(database) == 0
    record(
        "good-connections",
        "`good.py`: database connections while serving",
        connections,
        f"{connections} (one pool of {POOL_SIZE})",
    )
    record("good-health", "`good.py`: `GET /health`", response.status_code, "200")


def test_on_event_handlers_next_to_a_lifespan_never_run(database, record) -> None:
    response, connections, marked, log = serve("bad", database)
    # The server starts and stops cleanly; only the handlers are skipped, silently.
    assert marked == [
        "settings loaded",
        "Application startup complete.",
        "Waiting for application shutdown.",
        "Application shutdown complete.",
    ]
    # Nothing in the log says so: no deprecation, no warning.
    assert not [
        line for line in log if any(w in line.lower() for w in ("deprecated", "deprecation"))
    ]
    assert connections == 0
    assert response.status_code == 500  # the global pool is still None
    assert response.text == "Internal Server Error"
    record(
        "bad-connections",
        "`bad.py`: database connections while serving",
        connections,
        "0 (the startup handler never ran)",
    )
    record(
        "bad-health",
        "`bad.py`: `GET /health`",
        response.status_code,
        "500 Internal Server Error",
    )


def test_on_event_warns_only_at_import(database, monkeypatch) -> None:
    """`on_event` warns once per decorator, when the module is imported; the lifespan
    version imports without a warning."""
    monkeypatch.setenv("DATABASE_URL", database.plain_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bad = snippet_path(PRACTICE, "bad")
        load_snippet(bad)
        load_snippet(snippet_path(PRACTICE, "good"))
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert {str(w.message).split("\n\n")[0].strip() for w in deprecations} == {ON_EVENT_DEPRECATED}
    assert [Path(w.filename) for w in deprecations if Path(w.filename) == bad] == [bad] * 2
    # Next to a lifespan, the decorators say nothing more than that.
    assert [w for w in caught if not issubclass(w.category, DeprecationWarning)] == []


def events_of(make_app: Callable[[list[str]], FastAPI]) -> list[str]:
    """What ran of an app's startup and shutdown code on a live uvicorn (in-process)."""
    events: list[str] = []
    app = make_app(events)
    with live_app(app):
        pass
    return events


def test_on_event_alone_still_runs() -> None:
    """Without a lifespan, FastAPI still runs `on_event` handlers: deprecated, not removed."""

    def make(events: list[str]) -> FastAPI:
        app = FastAPI()
        with pytest.warns(DeprecationWarning, match=ON_EVENT_DEPRECATED):
            app.on_event("startup")(lambda: events.append("startup"))
            app.on_event("shutdown")(lambda: events.append("shutdown"))
        return app

    assert events_of(make) == ["startup", "shutdown"]


def test_on_startup_argument_next_to_a_lifespan_is_ignored() -> None:
    """The same with `FastAPI(on_startup=..., lifespan=...)`: the lifespan wins. Older
    releases said so with a UserWarning; newer ones say nothing."""

    def make(events: list[str]) -> FastAPI:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            events.append("lifespan")
            yield

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            app = FastAPI(on_startup=[lambda: events.append("on_startup")], lifespan=lifespan)
        ignored = [str(w.message) for w in caught if w.category is UserWarning]
        if since("fastapi", "0.128.3"):
            assert ignored == []
        else:
            assert ignored == [
                "The `lifespan` parameter cannot be used with `on_startup` or `on_shutdown`."
                " Both `on_startup` and `on_shutdown` will be ignored."
            ]
        return app

    assert events_of(make) == ["lifespan"]


def test_starlette_itself_dropped_on_event_in_1_0() -> None:
    """FastAPI keeps `on_event` working; Starlette 1.0 removed it from Starlette."""
    if since("starlette", "1.0.0"):
        assert not hasattr(Starlette, "on_event")
        with pytest.raises(TypeError, match="unexpected keyword argument 'on_startup'"):
            Starlette(on_startup=[print])
    else:
        assert hasattr(Starlette, "on_event")
        with pytest.warns(DeprecationWarning, match="will be removed on version 1.0"):
            Starlette(on_startup=[print])
