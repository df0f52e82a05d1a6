"""FBP801: with `allow_origins=["*"]` (or a regex matching everything) and
`allow_credentials=True`, Starlette's CORSMiddleware hands any origin, evil.example
included, an `Access-Control-Allow-Origin` naming it plus `Access-Control-Allow-Credentials:
true`; an allow-list read from settings gives evil.example no allow-origin and refuses its
preflight with 400."""

import httpx
import pytest
from pydantic import ValidationError

from fastapi_practices.testing.live import live_server, load_snippet, snippet_path
from fastapi_practices.testing.versions import since

PRACTICE = "security/cors-no-wildcard-with-credentials"
EVIL = "https://evil.example"
FRONT_END = "https://app.example.com"
SETTINGS_ENV = {"CORS_ORIGINS": f'["{FRONT_END}"]'}
COOKIE = {"Cookie": "session=s3cret-session"}
PRIVATE = {"email": "ada@example.com", "iban": "GB33BUKB20201555555555"}


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    """What a browser sends before a credentialed `fetch` with a JSON body."""
    return client.options(
        "/me",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "content-type",
        },
    )


@pytest.fixture(scope="module")
def servers():
    """Each snippet on its own uvicorn, with the front-end origin in the environment."""
    out = {}
    for name in ("bad", "bad_regex", "good"):
        with (
            live_server(snippet_path(PRACTICE, name), env=SETTINGS_ENV) as server,
            httpx.Client(base_url=server.url, timeout=5) as client,
        ):
            out[name] = {
                "evil_cookie": client.get("/me", headers={"Origin": EVIL, **COOKIE}),
                "evil_no_cookie": client.get("/me", headers={"Origin": EVIL}),
                "evil_preflight": preflight(client, EVIL),
                "front_cookie": client.get("/me", headers={"Origin": FRONT_END, **COOKIE}),
                "front_preflight": preflight(client, FRONT_END),
            }
    return out


@pytest.mark.parametrize("name", ["bad", "bad_regex"])
def test_any_origin_with_credentials_lets_evil_read_private_data(servers, name) -> None:
    response = servers[name]["evil_cookie"]
    # The session cookie works, and the answer names evil.example as allowed, with
    # credentials: a browser would hand this body to evil.example's script.
    assert response.status_code == 200
    assert response.json() == PRIVATE
    assert response.headers["access-control-allow-origin"] == EVIL
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize("name", ["bad", "bad_regex"])
def test_any_origin_with_credentials_passes_evils_preflight(servers, name) -> None:
    response = servers[name]["evil_preflight"]
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["access-control-allow-origin"] == EVIL
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-headers"] == "content-type"


def test_wildcard_without_a_cookie_depends_on_the_starlette_release(servers) -> None:
    response = servers["bad"]["evil_no_cookie"]
    assert response.status_code == 401
    assert response.headers["access-control-allow-credentials"] == "true"
    if since("starlette", "1.0.0"):
        # Starlette 1.0.0 echoes the origin whenever credentials are allowed.
        assert response.headers["access-control-allow-origin"] == EVIL
    else:
        # Before, it echoed only when the request carried a Cookie header.
        assert response.headers["access-control-allow-origin"] == "*"
    # The regex always echoes a matching origin, cookie or not.
    regex = servers["bad_regex"]["evil_no_cookie"]
    assert regex.headers["access-control-allow-origin"] == EVIL


def test_allow_list_gives_evil_no_allow_origin(servers) -> None:
    response = servers["good"]["evil_cookie"]
    # CORS does not stop the server from answering: the browser withholds the body from
    # evil.example's script because no Access-Control-Allow-Origin names it.
    assert response.status_code == 200
    assert response.json() == PRIVATE
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["access-control-allow-credentials"] == "true"


def test_allow_list_refuses_evils_preflight(servers) -> None:
    response = servers["good"]["evil_preflight"]
    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in response.headers


def test_allow_list_still_serves_the_front_end(servers) -> None:
    simple = servers["good"]["front_cookie"]
    assert simple.status_code == 200
    assert simple.json() == PRIVATE
    assert simple.headers["access-control-allow-origin"] == FRONT_END
    assert simple.headers["access-control-allow-credentials"] == "true"
    flight = servers["good"]["front_preflight"]
    assert flight.status_code == 200
    assert flight.text == "OK"
    assert flight.headers["access-control-allow-origin"] == FRONT_END
    assert flight.headers["access-control-allow-credentials"] == "true"


def test_allow_list_is_required_at_start_up(monkeypatch) -> None:
    """No CORS_ORIGINS in the environment: the good app refuses to start."""
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    with pytest.raises(ValidationError, match="cors_origins"):
        load_snippet(snippet_path(PRACTICE, "good"))
