"""FBP701: an async test that shares a database pool with the app needs an async test client.

Each snippet is a pytest module testing the same app (main.py, an asyncpg pool) against a
real PostgreSQL. The test runs each one with pytest in a subprocess, as a project's CI
would, with --strict-markers and warnings as errors, and reads what pytest reports.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import types
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI, WebSocket
from starlette.types import Receive, Scope, Send

from fastapi_practices.testing.live import mark_executed
from fastapi_practices.testing.postgres import fresh_database
from fastapi_practices.testing.project import SNIPPETS
from fastapi_practices.testing.versions import since

PRACTICE = "testing/async-test-client-from-day-one"
FOLDER = SNIPPETS / PRACTICE
PYTEST_INI = """\
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider -rA
filterwarnings =
    error
"""
# Starlette from 1.2.0 on warns on every TestClient import while httpx (not httpx2) is
# installed; that is not the failure under test, so it is let through as a project would.
# Older Starlette has no such warning (and no such class), so the line is only added there.
HTTPX2_NUDGE = (
    "    ignore:Using `httpx` with `starlette.testclient` is deprecated:"
    "starlette.exceptions.StarletteDeprecationWarning\n"
)
# Starlette before 1.0 uses an alias the pinned AnyIO deprecates: not the failure under test.
ANYIO_ALIAS = "    ignore:The anyio.abc.BlockingPortal alias is deprecated:DeprecationWarning\n"
WARNS_ON_HTTPX = since("starlette", "1.2.0")


def pytest_ini() -> str:
    testclient = Path(str(importlib.util.find_spec("starlette.testclient").origin))  # type: ignore[union-attr]
    return (
        PYTEST_INI
        + (HTTPX2_NUDGE if WARNS_ON_HTTPX else "")
        + (ANYIO_ALIAS if "anyio.abc.BlockingPortal" in testclient.read_text() else "")
    )


# The fixture and test of the source guide, as published.
GUIDE = """\
import pytest
from async_asgi_testclient import TestClient

from src.main import app  # inited FastAPI app


@pytest.fixture
async def client() -> AsyncGenerator[TestClient, None]:
    host, port = "127.0.0.1", "9000"

    async with AsyncClient(transport=ASGITransport(app=app, client=(host, port)), \
base_url="http://test") as client:
        yield client


@pytest.mark.asyncio
async def test_create_post(client: TestClient):
    resp = await client.post("/posts")

    assert resp.status_code == 201
"""


def start_pytest(
    folder: Path, *files: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    (folder / "pytest.ini").write_text(pytest_ini())
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *files],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )


def output_of(process: subprocess.Popen[str]) -> str:
    try:
        return process.communicate(timeout=120)[0]
    finally:
        process.kill()


def outcome(output: str) -> str:
    """pytest's last line, without the timing: "1 passed", "1 failed", "1 error"."""
    last = output.strip().splitlines()[-1]
    return re.sub(r"\s+in [\d.]+s.*$", "", last.strip("= ")).strip()


@pytest.fixture(scope="module")
def runs(postgres_server_url, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each snippet's pytest run, both at once (each pays pytest's start-up), each on a
    database of its own: both fixtures drop and recreate the same table."""
    with contextlib.ExitStack() as stack:
        started = {}
        for name in ("bad", "good"):
            database = stack.enter_context(fresh_database(postgres_server_url, f"fbp701_{name}"))
            folder = tmp_path_factory.mktemp(name)
            for file in ("main.py", f"{name}.py"):
                shutil.copy(FOLDER / file, folder / file)
                mark_executed(FOLDER / file)
            process = start_pytest(folder, f"{name}.py", env={"DATABASE_URL": database.plain_url})
            stack.callback(process.kill)
            started[name] = process
        return {name: output_of(process) for name, process in started.items()}


def test_async_client_shares_the_tests_event_loop(runs, record) -> None:
    output = runs["good"]
    assert outcome(output) == "1 passed", output
    record("good", "`good.py` (httpx `AsyncClient` + `ASGITransport`)", outcome(output), "1 passed")


def test_sync_test_client_runs_the_app_on_another_loop(runs, record) -> None:
    output = runs["bad"]
    assert outcome(output) == "1 failed", output
    # TestClient serves the app from its own event loop in a portal thread; the pool's
    # connections belong to the test's loop, where the fixture created them.
    match = re.search(
        r"RuntimeError: Task <Task pending name='(\S+)'.*?"
        r"got Future <Future pending.*?> (attached to a different loop)",
        output,
    )
    assert match, output
    assert match.group(1) == "anyio.from_thread.BlockingPortal._call_func"
    record(
        "bad",
        "`bad.py` (`TestClient` in an async test)",
        outcome(output),
        f"1 failed: `RuntimeError: ... got Future ... {match.group(2)}`",
    )


def test_guide_fixture_does_not_run(tmp_path: Path, monkeypatch, record) -> None:
    errors = []  # each error the guide's code raises, once it is asserted
    # As published: the module it imports TestClient from is another library, not httpx.
    with pytest.raises(ModuleNotFoundError, match="No module named 'async_asgi_testclient'"):
        exec(compile(GUIDE, "test_guide.py", "exec", dont_inherit=True), {})  # noqa: S102
    errors.append("`ModuleNotFoundError`")

    # With that library installed, the return annotation names a type nobody imported.
    for name, attributes in [
        ("async_asgi_testclient", {"TestClient": object}),
        ("src", {}),
        ("src.main", {"app": FastAPI()}),
    ]:
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, name, module)
    with pytest.raises(NameError, match="name 'AsyncGenerator' is not defined"):
        exec(compile(GUIDE, "test_guide.py", "exec", dont_inherit=True), {})  # noqa: S102
    errors.append("`NameError`")

    # Importing it, under pytest: the `asyncio` mark belongs to pytest-asyncio, so
    # --strict-markers refuses the module; with anyio's mark instead, the fixture body
    # uses AsyncClient and ASGITransport, which were never imported.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "async_asgi_testclient.py").write_text("TestClient = object\n")
    imported = "from collections.abc import AsyncGenerator\n" + GUIDE
    (tmp_path / "test_guide_asyncio.py").write_text(imported)
    (tmp_path / "test_guide_anyio.py").write_text(
        imported.replace("@pytest.mark.asyncio", "@pytest.mark.anyio")
        + '\n\n@pytest.fixture\ndef anyio_backend():\n    return "asyncio"\n'
    )
    output = output_of(
        start_pytest(
            tmp_path,
            "--continue-on-collection-errors",
            "test_guide_asyncio.py",
            "test_guide_anyio.py",
        )
    )
    assert "'asyncio' not found in `markers` configuration option" in output, output
    errors.append("unknown mark `asyncio`")
    assert "NameError: name 'AsyncClient' is not defined" in output, output
    errors.append("`NameError`")
    named = sorted(set(errors), key=errors.index)
    record(
        "guide",
        "The guide's fixture, as published, then fixed one error at a time",
        len(errors),
        f"{len(errors)} errors: "
        + ", ".join(f"{errors.count(e)} × {e}" if errors.count(e) > 1 else e for e in named),
    )


def test_app_keyword_was_removed_from_httpx() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'app'"):
        httpx.AsyncClient(app=FastAPI(), base_url="http://test")


def test_testclient_warns_when_it_runs_on_httpx() -> None:
    """Starlette's TestClient asks for the httpx2 package; with only httpx it warns on import
    (Starlette 1.2.0 and later; the matrix's older points show the release before it)."""
    assert importlib.util.find_spec("httpx2") is None  # only httpx is installed here
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import starlette.testclient"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    nudge = (
        "StarletteDeprecationWarning: Using `httpx` with `starlette.testclient` is deprecated; "
        "install `httpx2` instead."
    )
    assert (nudge in result.stderr) == WARNS_ON_HTTPX, result.stderr


def test_asgi_transport_runs_no_lifespan_and_no_websocket() -> None:
    """What the page says ASGITransport leaves out, and the ways around it it names."""
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    @app.websocket("/ws")
    async def greet(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    scopes: list[str] = []

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope["type"])
        await app(scope, receive, send)

    handshake = {
        "connection": "Upgrade",
        "upgrade": "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    }

    async def through_asgi_transport() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=recording)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.get("/ping"), await client.get("/ws", headers=handshake)]

    ping_response, ws_response = anyio.run(through_asgi_transport)
    assert ping_response.json() == "pong"
    # Neither a lifespan nor a websocket scope reached the app: two plain HTTP requests,
    # and the handshake found no HTTP route.
    assert scopes == ["http", "http"]
    assert events == []
    assert ws_response.status_code == 404

    # In a fixture, the app's own lifespan context runs it.
    async def with_lifespan() -> None:
        async with app.router.lifespan_context(app):
            assert events == ["startup"]

    anyio.run(with_lifespan)
    assert events == ["startup", "shutdown"]

    # TestClient does speak WebSocket (and, as a context manager, runs the lifespan too).
    from fastapi.testclient import TestClient

    scopes.clear()
    with TestClient(recording) as client, client.websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "hello"
    assert scopes == ["lifespan", "websocket"]
