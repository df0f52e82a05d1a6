"""FBP401: one dependency that loads the post and raises 404 gives every route that uses
it the same answer for a missing post, with one lookup per request; routes that each look
the post up themselves drift apart."""

import httpx
import pytest

from fastapi_practices.testing.lint import rule_codes
from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "dependencies/validate-against-stored-data-in-dependencies"
NOT_FOUND = (404, '{"detail":"Post not found"}')
ROUTES = [("GET", "/posts/{id}"), ("PUT", "/posts/{id}"), ("GET", "/posts/{id}/reviews")]


def call(client: httpx.Client, method: str, path: str, post_id: int) -> httpx.Response:
    body = {"title": "Notes on turbines"} if method == "PUT" else None
    return client.request(method, path.format(id=post_id), json=body)


def observe(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Serve the snippet live; per route, the answer for a missing post and the number of
    post lookups each request made (existing post, then missing post)."""
    module = load_snippet(snippet_path(PRACTICE, name))
    calls = 0
    fetch_post = module.fetch_post

    async def counting_fetch_post(post_id: int):
        nonlocal calls
        calls += 1
        return await fetch_post(post_id)

    monkeypatch.setattr(module, "fetch_post", counting_fetch_post)
    missing: dict[str, tuple[int, str]] = {}
    lookups: dict[str, list[int]] = {}
    # A new connection per request: uvicorn closes the one a crashed request (500) used.
    no_keepalive = httpx.Limits(max_keepalive_connections=0)
    with live_app(module.app) as url, httpx.Client(base_url=url, limits=no_keepalive) as client:
        for method, path in ROUTES:
            route = f"{method} {path}"
            lookups[route] = []
            for post_id in (1, 9):
                before = calls
                response = call(client, method, path, post_id)
                lookups[route].append(calls - before)
                if post_id == 1:
                    assert response.status_code == 200, route
                else:
                    missing[route] = (response.status_code, response.text)
    return {"missing": missing, "lookups": lookups}


def show(missing: dict[str, tuple[int, str]]) -> str:
    return ", ".join(
        f"{route.split()[0]} {route.split()[1].replace('{id}', '9')} → {status}"
        for route, (status, _) in missing.items()
    )


def test_shared_dependency_answers_every_route_alike(monkeypatch, record) -> None:
    seen = observe("good", monkeypatch)
    record(
        "good",
        "`good.py`: a missing post (id 9) on the three routes",
        {r: s for r, (s, _) in seen["missing"].items()},
        show(seen["missing"]) + ", all `Post not found`",
    )
    assert set(seen["missing"].values()) == {NOT_FOUND}
    record(
        "good_lookups",
        "`good.py`: post lookups per request (existing, missing), per route",
        seen["lookups"],
        "1 and 1 on each route",
    )
    assert all(counts == [1, 1] for counts in seen["lookups"].values()), seen["lookups"]


def test_per_route_lookups_drift_apart(monkeypatch, record) -> None:
    seen = observe("bad", monkeypatch)
    missing = seen["missing"]
    record(
        "bad",
        "`bad.py`: a missing post (id 9) on the three routes",
        {r: s for r, (s, _) in missing.items()},
        show(missing),
    )
    assert missing["GET /posts/{id}"] == NOT_FOUND
    # The copy that forgot the check crashes on None: a 500, not a 404.
    assert missing["PUT /posts/{id}"] == (500, "Internal Server Error")
    # The copy that forgot the lookup answers "no reviews" for a post that does not exist.
    assert missing["GET /posts/{id}/reviews"] == (200, "[]")
    assert len(set(missing.values())) == 3


def test_a_malformed_id_is_refused_with_422_before_the_lookup(monkeypatch) -> None:
    module = load_snippet(snippet_path(PRACTICE, "good"))
    calls = 0
    fetch_post = module.fetch_post

    async def counting_fetch_post(post_id: int):
        nonlocal calls
        calls += 1
        return await fetch_post(post_id)

    monkeypatch.setattr(module, "fetch_post", counting_fetch_post)
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        for method, path in ROUTES:
            response = call(client, method, path.replace("{id}", "abc"), 0)
            assert response.status_code == 422, f"{method} {path}"
            (error,) = response.json()["detail"]
            assert (error["type"], error["loc"]) == ("int_parsing", ["path", "post_id"])
        assert call(client, "GET", "/posts/{id}", 1).status_code == 200
    # The type check answered first: the dependency never looked anything up for "abc".
    assert calls == 1


DEFAULT_VALUE_FORM = """
from fastapi import Depends, FastAPI

app = FastAPI()


async def valid_post_id(post_id: int) -> dict:
    return {"id": post_id}


@app.get("/posts/{post_id}")
async def read_post(post: dict = Depends(valid_post_id)) -> dict:
    return post
"""


def fast_rules(source: str) -> list[str]:
    """The FAST rule codes ruff (no configuration, FAST selected) reports on `source`."""
    return rule_codes(source, "FAST")


def test_ruff_flags_the_default_value_form_and_not_annotated() -> None:
    assert fast_rules(DEFAULT_VALUE_FORM) == ["FAST002"]
    assert fast_rules(snippet_path(PRACTICE, "good").read_text()) == []
