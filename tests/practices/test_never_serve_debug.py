"""FBP808: with debug=True a 500 answers the traceback, and with it what the failing line
and the exception message hold; the default and a JSON exception handler answer without it.

Each app fails the same way: it cannot reach its database and raises with the DSN in the
message. The DSN carries a password from the environment (DATABASE_URL), as settings do.
"""

import re
import secrets
import socket
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from fastapi_practices.testing.live import live_app, live_server, snippet_path, wait_until
from fastapi_practices.testing.postgres import Database

PRACTICE = "security/never-serve-debug"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's


@pytest.fixture(scope="module")
def closed_port() -> Iterator[int]:
    """A loopback port held by a socket that does not listen: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def password() -> str:
    return "pw_" + secrets.token_hex(8)


def unreachable_dsn(password: str, port: int) -> str:
    return f"postgresql://orders:{password}@127.0.0.1:{port}/orders"


def test_debug_true_answers_the_traceback_with_the_password(
    password: str, closed_port: int
) -> None:
    env = {"DATABASE_URL": unreachable_dsn(password, closed_port)}
    with live_server(snippet_path(PRACTICE, "bad"), env=env) as server:
        browser = httpx.get(f"{server.url}/orders/7", headers={"Accept": HTML}, timeout=10)
        script = httpx.get(f"{server.url}/orders/7", headers={"Accept": "*/*"}, timeout=10)
        no_accept = httpx.get(f"{server.url}/orders/7", headers={"Accept": ""}, timeout=10)

    # A browser (Accept holds text/html) gets Starlette's HTML traceback page.
    assert browser.status_code == 500
    assert browser.headers["content-type"].startswith("text/html")
    assert "RuntimeError: database unreachable" in browser.text
    assert password in browser.text
    # ... with the source lines around each frame, here the one that raised.
    assert "raise&nbspRuntimeError" in browser.text
    # Any other client gets the same traceback as plain text, chained cause included.
    for response in (script, no_accept):
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/plain")
        assert "Traceback (most recent call last)" in response.text
        assert str(snippet_path(PRACTICE, "bad")) + '", line' in response.text  # file paths
        assert "ConnectionRefusedError" in response.text
        assert f"RuntimeError: database unreachable: {unreachable_dsn(password, closed_port)}" in (
            response.text
        )


def test_good_answers_json_with_the_request_id_only_and_logs_the_traceback(
    password: str, closed_port: int
) -> None:
    """The good app outside ENVIRONMENT=local: its handler answers JSON with the request ID
    only, and the log holds the traceback with that ID."""
    env = {"DATABASE_URL": unreachable_dsn(password, closed_port)}
    with live_server(snippet_path(PRACTICE, "good"), env=env) as server:
        given = httpx.get(
            f"{server.url}/orders/7",
            headers={"Accept": HTML, "X-Request-ID": "req-4711"},
            timeout=10,
        )
        generated = httpx.get(f"{server.url}/orders/8", headers={"Accept": "*/*"}, timeout=10)
        assert wait_until(lambda: server.output().count("Traceback") >= 2, timeout=5)
        log = server.output()

    assert given.status_code == 500
    assert given.json() == {"detail": "Internal Server Error", "request_id": "req-4711"}
    assert given.headers["x-request-id"] == "req-4711"
    assert generated.status_code == 500
    request_id = generated.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert generated.json() == {"detail": "Internal Server Error", "request_id": request_id}
    for response in (given, generated):
        assert password not in response.text
        assert "Traceback" not in response.text
    # The log has what the response does not: the ID, then the traceback and its message.
    for rid in ("req-4711", request_id):
        line = f"unhandled error, request_id={rid}"
        assert line in log
        after = log[log.index(line) :]
        assert "Traceback (most recent call last)" in after
        assert f"RuntimeError: database unreachable: {unreachable_dsn(password, closed_port)}" in (
            after
        )


def test_debug_wins_over_the_exception_handler(password: str, closed_port: int) -> None:
    """ENVIRONMENT=local turns debug on in the good app: then Starlette's traceback answers
    and the exception handler is not called (so keep it to the developer's machine)."""
    env = {"DATABASE_URL": unreachable_dsn(password, closed_port), "ENVIRONMENT": "local"}
    with live_server(snippet_path(PRACTICE, "good"), env=env) as server:
        response = httpx.get(f"{server.url}/orders/7", headers={"Accept": "*/*"}, timeout=10)
        log = server.output()
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert password in response.text
    assert "x-request-id" not in response.headers
    assert "unhandled error" not in log


def test_without_a_handler_the_default_is_plain_text() -> None:
    """FastAPI() as it comes (debug off, no handler): the body is the phrase, nothing else."""
    probe = FastAPI()

    @probe.get("/fail")
    async def fail() -> None:
        token = "local-" + secrets.token_hex(8)
        raise RuntimeError(f"failed with {token}")

    with live_app(probe) as url:
        for accept in (HTML, "*/*"):
            response = httpx.get(f"{url}/fail", headers={"Accept": accept}, timeout=10)
            assert response.status_code == 500
            assert response.headers["content-type"].startswith("text/plain")
            assert response.text == "Internal Server Error"


def test_debug_page_shows_lines_and_message_not_local_values() -> None:
    """Starlette's debug page prints source lines and the exception message; the value of a
    local variable that neither holds does not appear."""
    probe = FastAPI(debug=True)
    secret = "local-" + secrets.token_hex(8)

    @probe.get("/fail")
    async def fail() -> None:
        api_key = secret  # a local variable holding a secret
        raise RuntimeError(f"upstream refused key ending {api_key[-4:]}")

    with live_app(probe) as url:
        for accept in (HTML, "*/*"):
            response = httpx.get(f"{url}/fail", headers={"Accept": accept}, timeout=10)
            assert response.status_code == 500
            assert f"upstream refused key ending {secret[-4:]}" in response.text
            assert "api_key" in response.text  # the source line names it
            assert secret not in response.text  # its value is not printed


def test_good_serves_with_a_reachable_database(database: Database) -> None:
    env = {"DATABASE_URL": database.plain_url}
    with live_server(snippet_path(PRACTICE, "good"), env=env) as server:
        response = httpx.get(f"{server.url}/orders/7", timeout=10)
    assert response.status_code == 200
    assert response.json()["order"] == 7
