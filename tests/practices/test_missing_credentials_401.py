"""FBP806: missing or invalid credentials get 401 with `WWW-Authenticate`, a denied user 403.

What FastAPI's own security classes answer on each release (they moved from 403 to 401 in
0.122.0), what the bad and the good snippet answer, and what a client that refreshes its
token on 401 does against each, all over real HTTP on 127.0.0.1.
"""

from collections.abc import Generator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBearer, OAuth2PasswordBearer

from fastapi_practices.testing.live import live_app, live_server, snippet_path
from fastapi_practices.testing.versions import since

PRACTICE = "security/missing-credentials-401"
NEW = since("fastapi", "0.122.0")  # PR #13786: 401 and a challenge instead of 403

probe = FastAPI()
SCHEMES: dict[str, Any] = {
    "bearer": HTTPBearer(),
    "oauth2": OAuth2PasswordBearer(tokenUrl="token"),
    "apikey": APIKeyHeader(name="X-API-Key"),
    "basic": HTTPBasic(),
}


def _route(scheme: Any) -> Any:
    def protected(credentials: Annotated[Any, Depends(scheme)]) -> dict[str, str]:
        return {"credentials": str(credentials)}

    return protected


for _name, _scheme in SCHEMES.items():
    probe.get(f"/{_name}")(_route(_scheme))

MALFORMED = {
    "bearer": {"Authorization": "Token abc"},  # wrong scheme
    "oauth2": {"Authorization": "Token abc"},
    "apikey": {"X-API-Key": ""},  # present but empty
    "basic": {"Authorization": "Basic !!!"},  # not base64
}

# (status, detail, WWW-Authenticate) per scheme, for no credentials and for malformed ones.
NOT_AUTHENTICATED = "Not authenticated"
INVALID = "Invalid authentication credentials"
EXPECTED = {
    ("bearer", "missing"): (401, NOT_AUTHENTICATED, "Bearer")
    if NEW
    else (403, NOT_AUTHENTICATED, None),
    ("bearer", "malformed"): (401, NOT_AUTHENTICATED, "Bearer") if NEW else (403, INVALID, None),
    ("oauth2", "missing"): (401, NOT_AUTHENTICATED, "Bearer"),
    ("oauth2", "malformed"): (401, NOT_AUTHENTICATED, "Bearer"),
    ("apikey", "missing"): (401, NOT_AUTHENTICATED, "APIKey")
    if NEW
    else (403, NOT_AUTHENTICATED, None),
    ("apikey", "malformed"): (401, NOT_AUTHENTICATED, "APIKey")
    if NEW
    else (403, NOT_AUTHENTICATED, None),
    ("basic", "missing"): (401, NOT_AUTHENTICATED, "Basic"),
    ("basic", "malformed"): (401, NOT_AUTHENTICATED if NEW else INVALID, "Basic"),
}


@pytest.fixture(scope="module")
def probe_answers() -> dict[tuple[str, str], tuple[int, str, str | None]]:
    answers = {}
    with live_app(probe) as url, httpx.Client(base_url=url, timeout=5) as client:
        for name in SCHEMES:
            for case, headers in (("missing", {}), ("malformed", MALFORMED[name])):
                response = client.get(f"/{name}", headers=headers)
                answers[name, case] = (
                    response.status_code,
                    response.json()["detail"],
                    response.headers.get("www-authenticate"),
                )
    return answers


@pytest.mark.parametrize(("name", "case"), list(EXPECTED))
def test_security_classes_answer_per_release(probe_answers, name, case) -> None:
    assert probe_answers[name, case] == EXPECTED[name, case]


def test_with_valid_credentials_the_probe_answers_200() -> None:
    """The probe is not refusing everything: each scheme lets well-formed credentials in."""
    with live_app(probe) as url, httpx.Client(base_url=url, timeout=5) as client:
        assert client.get("/bearer", headers={"Authorization": "Bearer t"}).status_code == 200
        assert client.get("/oauth2", headers={"Authorization": "Bearer t"}).status_code == 200
        assert client.get("/apikey", headers={"X-API-Key": "k"}).status_code == 200
        assert client.get("/basic", auth=("ada", "pw")).status_code == 200


@pytest.fixture(scope="module")
def servers() -> Generator[dict[str, str]]:
    """bad.py and good.py, each on its own uvicorn, for the whole module."""
    with (
        live_server(snippet_path(PRACTICE, "bad")) as bad,
        live_server(snippet_path(PRACTICE, "good")) as good,
    ):
        yield {"bad": bad.url, "good": good.url}


def answers(url: str) -> dict[str, httpx.Response]:
    """What one snippet answers: no token, a wrong scheme, an unknown token, a user who may
    not see /admin, and one who may."""
    requests = {
        "missing": ("/me", {}),
        "malformed": ("/me", {"Authorization": "Token alice-token"}),
        "unknown token": ("/me", {"Authorization": "Bearer stolen-or-expired"}),
        "valid": ("/me", {"Authorization": "Bearer alice-token"}),
        "forbidden": ("/admin", {"Authorization": "Bearer alice-token"}),
        "allowed": ("/admin", {"Authorization": "Bearer root-token"}),
    }
    with httpx.Client(base_url=url, timeout=5) as client:
        return {case: client.get(path, headers=h) for case, (path, h) in requests.items()}


def test_bad_answers_403_without_a_challenge_whatever_went_wrong(servers) -> None:
    got = answers(servers["bad"])
    assert got["valid"].status_code == 200
    assert got["allowed"].status_code == 200
    for case in ("missing", "malformed", "unknown token", "forbidden"):
        assert got[case].status_code == 403, case
        assert "www-authenticate" not in got[case].headers, case
    # The client cannot tell "log in (again)" from "you may not": only the prose differs.
    assert got["missing"].json() == {"detail": "Not authenticated"}
    assert got["unknown token"].json() == {"detail": "Invalid token"}
    assert got["forbidden"].json() == {"detail": "Not allowed"}


def test_good_answers_401_with_a_challenge_and_403_only_when_denied(servers) -> None:
    got = answers(servers["good"])
    assert got["valid"].json() == {"user": "alice"}
    assert got["allowed"].json() == {"admin": "root"}
    # An unknown token: our own 401, on every release.
    assert got["unknown token"].status_code == 401
    assert got["unknown token"].headers["www-authenticate"] == 'Bearer error="invalid_token"'
    # No token or another scheme: HTTPBearer's own answer, which changed in 0.122.0.
    for case in ("missing", "malformed"):
        status, detail, challenge = EXPECTED["bearer", case]
        assert got[case].status_code == status, case
        assert got[case].json() == {"detail": detail}, case
        assert got[case].headers.get("www-authenticate") == challenge, case
    # Authenticated but not allowed: 403, and no challenge (new credentials would not help).
    assert got["forbidden"].status_code == 403
    assert got["forbidden"].json() == {"detail": "Not allowed"}
    assert "www-authenticate" not in got["forbidden"].headers


class RefreshOn401(httpx.Auth):
    """A client's usual token flow: send the access token; on 401, get a new one and retry
    once (the shape of the multi-request flows in httpx's authentication docs)."""

    def __init__(self, stale: str, fresh: str) -> None:
        self.token = stale
        self.fresh_token = fresh
        self.refreshes = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.refreshes += 1
            self.token = self.fresh_token  # stands for a call to the token endpoint
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


@pytest.mark.parametrize(
    ("name", "status", "sent", "refreshes"), [("bad", 403, 1, 0), ("good", 200, 2, 1)]
)
def test_a_client_refreshes_an_expired_token_only_on_401(
    servers, name, status, sent, refreshes
) -> None:
    auth = RefreshOn401(stale="expired-token", fresh="alice-token")
    seen: list[httpx.Request] = []
    hooks = {"request": [seen.append]}
    with httpx.Client(base_url=servers[name], auth=auth, event_hooks=hooks, timeout=5) as client:
        response = client.get("/me")
    assert response.status_code == status
    assert len(seen) == sent  # requests that reached the server
    assert auth.refreshes == refreshes
