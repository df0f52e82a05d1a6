"""FBP802: trusting X-Forwarded-* from everyone lets any client choose its address and
scheme; trusting only the proxy's address keeps them, and the rate limit keyed on them.

Every loopback address (127.0.0.0/8) reaches the server on 127.0.0.1, so the test plays
each party from its own source address: 127.0.0.3 is the proxy (its address is what
good.py is told to trust, TRUSTED_PROXIES), 127.0.0.2 a client that reaches the app
directly. uvicorn's own default trust list holds 127.0.0.1, which neither uses.
"""

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI, Request

from fastapi_practices.testing.live import LiveServer, live_app, live_server, snippet_path

PRACTICE = "security/trust-forwarded-headers-only-from-proxy"
PROXY = "127.0.0.3"
CLIENT = "127.0.0.2"
ENV = {"TRUSTED_PROXIES": PROXY}
FORGED = "203.0.113.66"  # what a client writes into X-Forwarded-For itself
REAL = "198.51.100.7"  # the address a proxy saw and appended


def client_from(address: str) -> httpx.Client:
    """An HTTP client whose connections leave from `address`."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


@contextmanager
def served(name: str, *args: str) -> Iterator[LiveServer]:
    with live_server(snippet_path(PRACTICE, name), env=ENV, args=args) as server:
        yield server


@pytest.fixture(scope="module")
def bad() -> Iterator[LiveServer]:
    with served("bad") as server:
        yield server


@pytest.fixture(scope="module")
def good() -> Iterator[LiveServer]:
    with served("good") as server:
        yield server


def whoami(server: LiveServer, source: str, forwarded_for: str) -> dict[str, str]:
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"}
    with client_from(source) as client:
        response = client.get(f"{server.url}/whoami", headers=headers)
    assert response.status_code == 200
    return response.json()


def test_a_direct_client_picks_its_address_and_scheme_when_everyone_is_trusted(
    bad: LiveServer,
) -> None:
    seen = whoami(bad, CLIENT, FORGED)
    assert seen == {
        "client": FORGED,
        "scheme": "https",
        "items_url": f"{bad.url.replace('http:', 'https:')}/items/",
    }


def test_a_direct_client_is_seen_as_itself_when_only_the_proxy_is_trusted(
    good: LiveServer,
) -> None:
    seen = whoami(good, CLIENT, FORGED)
    assert seen == {"client": CLIENT, "scheme": "http", "items_url": f"{good.url}/items/"}


def test_through_the_proxy_both_see_the_forwarded_client(bad: LiveServer, good: LiveServer) -> None:
    for server in (bad, good):
        seen = whoami(server, PROXY, REAL)
        assert seen["client"] == REAL
        assert seen["scheme"] == "https"


def test_a_forged_header_passed_on_by_an_appending_proxy(bad: LiveServer, good: LiveServer) -> None:
    """A proxy that appends (nginx's $proxy_add_x_forwarded_for) sends `forged, real`.
    Trusting everyone takes the leftmost entry; trusting the proxy takes the rightmost
    entry that is not a trusted proxy."""
    assert whoami(bad, PROXY, f"{FORGED}, {REAL}")["client"] == FORGED
    assert whoami(good, PROXY, f"{FORGED}, {REAL}")["client"] == REAL


def attempt_logins(server: LiveServer, attempts: int) -> list[int]:
    """Login attempts from one client that writes a new X-Forwarded-For each time."""
    statuses = []
    with client_from(CLIENT) as client:
        for i in range(attempts):
            response = client.post(
                f"{server.url}/login",
                params={"username": "ada"},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
            )
            statuses.append(response.status_code)
    return statuses


def test_rotating_x_forwarded_for_defeats_the_rate_limit_and_forges_the_audit_log(
    bad: LiveServer,
) -> None:
    statuses = attempt_logins(bad, 8)
    log = bad.output()
    assert statuses == [401] * 8  # eight attempts, eight "addresses", never a 429
    for i in range(1, 9):
        assert f"failed login for ada from 203.0.113.{i}" in log
    assert f"from {CLIENT}" not in log


def test_the_rate_limit_holds_when_only_the_proxy_is_trusted(good: LiveServer) -> None:
    statuses = attempt_logins(good, 8)
    log = good.output()
    assert statuses == [401] * 5 + [429] * 3
    assert log.count(f"failed login for ada from {CLIENT}") == 5
    assert "203.0.113." not in log


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_forwarded_allow_ips_star_trusts_everyone_again(where: str) -> None:
    """uvicorn's own proxy handling runs before the app: `--forwarded-allow-ips="*"` (or
    FORWARDED_ALLOW_IPS=*) undoes good.py's narrow trust."""
    if where == "command line":
        server_cm = live_server(
            snippet_path(PRACTICE, "good"), env=ENV, args=["--forwarded-allow-ips=*"]
        )
    else:
        server_cm = live_server(
            snippet_path(PRACTICE, "good"), env={**ENV, "FORWARDED_ALLOW_IPS": "*"}
        )
    with server_cm as server:
        seen = whoami(server, CLIENT, FORGED)
    assert seen["client"] == FORGED
    assert seen["scheme"] == "https"


def test_uvicorn_default_trusts_only_loopback_127_0_0_1() -> None:
    """uvicorn with its defaults (proxy headers on, FORWARDED_ALLOW_IPS unset): 127.0.0.1 is
    trusted, another address is not."""
    probe = FastAPI()

    @probe.get("/whoami")
    async def probe_whoami(request: Request) -> dict[str, str]:
        return {"client": request.client.host, "scheme": request.url.scheme}

    headers = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"}
    with live_app(probe) as url:
        with client_from("127.0.0.1") as local:
            assert local.get(f"{url}/whoami", headers=headers).json() == {
                "client": FORGED,
                "scheme": "https",
            }
        with client_from(CLIENT) as other:
            assert other.get(f"{url}/whoami", headers=headers).json() == {
                "client": CLIENT,
                "scheme": "http",
            }


@pytest.mark.parametrize("root_path", ["", "/api"])
def test_root_path_puts_the_prefix_into_redirects_and_docs(
    root_path: str, good: LiveServer
) -> None:
    """Behind a proxy that serves the app under /api and strips the prefix: the app is
    asked for /items, /docs and /openapi.json without it."""
    with contextlib.ExitStack() as stack:
        server = (
            stack.enter_context(served("good", "--root-path", root_path)) if root_path else good
        )
        proxy = stack.enter_context(client_from(PROXY))
        redirect = proxy.get(f"{server.url}/items", headers={"X-Forwarded-Proto": "https"})
        docs = proxy.get(f"{server.url}/docs").text
        openapi = proxy.get(f"{server.url}/openapi.json").json()
    https_url = server.url.replace("http:", "https:")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == f"{https_url}{root_path}/items/"
    assert f"url: '{root_path}/openapi.json'" in docs
    if root_path:
        assert openapi["servers"] == [{"url": "/api"}]
    else:
        assert "servers" not in openapi
