"""FBP403: a dependency reached through Depends runs once per request, however many
dependants share it; a plain function call inside a dependency runs every time."""

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Header

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "dependencies/dependencies-run-once-per-request"
HEADERS = {"X-User": "ada"}


def user_lookups(name: str, monkeypatch: pytest.MonkeyPatch, requests: int) -> list[int]:
    """Serve the snippet live and count `fetch_user` calls made by each of `requests` requests."""
    module = load_snippet(snippet_path(PRACTICE, name))
    calls = 0
    fetch_user = module.fetch_user

    async def counting_fetch_user(user_name: str) -> dict | None:
        nonlocal calls
        calls += 1
        return await fetch_user(user_name)

    # The dependencies look `fetch_user` up in their module at call time, so this counts
    # every lookup, whether a dependency reached it through Depends or a direct call.
    monkeypatch.setattr(module, "fetch_user", counting_fetch_user)
    per_request = []
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        for _ in range(requests):
            before = calls
            response = client.get("/posts/1", headers=HEADERS)
            assert response.json() == {"title": "Notes on engines", "reader": "ada"}
            per_request.append(calls - before)
        assert client.get("/posts/1", headers={"X-User": "nobody"}).status_code == 401
    return per_request


def test_chained_dependency_runs_once_per_request(monkeypatch, record) -> None:
    counts = user_lookups("good", monkeypatch, requests=2)
    record(
        "good",
        "`good.py`: user lookups per request (two dependants share `current_user`)",
        counts,
        " and ".join(map(str, counts)) + " (two requests)",
    )
    # Cached within a request, not across requests: each request pays exactly once.
    assert counts == [1, 1]


def test_direct_calls_repeat_the_work(monkeypatch, record) -> None:
    counts = user_lookups("bad", monkeypatch, requests=2)
    record(
        "bad",
        "`bad.py`: user lookups per request (each dependency calls it directly)",
        counts,
        " and ".join(map(str, counts)) + " (two requests)",
    )
    # One lookup per dependency that calls it: active_user and owned_post.
    assert counts == [2, 2]


def test_use_cache_false_gives_that_dependant_its_own_call(monkeypatch, record) -> None:
    counts = user_lookups("good_no_cache", monkeypatch, requests=2)
    record(
        "good_no_cache",
        "`good_no_cache.py`: user lookups per request (one dependant uses `use_cache=False`)",
        counts,
        " and ".join(map(str, counts)) + " (two requests)",
    )
    # The cached dependant shares one call; the use_cache=False one gets a second.
    assert counts == [2, 2]


@pytest.mark.parametrize(("name", "lookups", "status"), [("bad", 2, 403), ("good", 1, 200)])
def test_checks_of_one_request_judge_one_version_of_the_user_only_with_depends(
    monkeypatch, name, lookups, status
) -> None:
    """The user is deactivated while a request runs, right after its first lookup."""
    module = load_snippet(snippet_path(PRACTICE, name))
    fetch_user = module.fetch_user
    versions: list[dict] = []

    async def deactivating_fetch_user(user_name: str) -> dict | None:
        user = await fetch_user(user_name)
        versions.append(user)
        module.USERS[user_name] = {**user, "active": False}  # an admin acts, mid-request
        return user

    monkeypatch.setattr(module, "fetch_user", deactivating_fetch_user)
    with live_app(module.app) as url:
        response = httpx.get(f"{url}/posts/1", headers=HEADERS)
    assert len(versions) == lookups
    if name == "bad":
        # owned_post judged the active user, active_user then read the deactivated one.
        assert [user["active"] for user in versions] == [True, False]
        assert response.json() == {"detail": "Inactive user"}
    else:
        # Both checks were handed the one user loaded for this request.
        assert response.json() == {"title": "Notes on engines", "reader": "ada"}
    assert response.status_code == status


def test_look_alike_loaders_are_two_dependencies() -> None:
    """The cache key is the callable: two functions with the same body both run."""
    calls = 0

    async def fetch(x_user: str) -> dict:
        nonlocal calls
        calls += 1
        return {"name": x_user}

    async def current_user(x_user: Annotated[str, Header()]) -> dict:
        return await fetch(x_user)

    async def load_user(x_user: Annotated[str, Header()]) -> dict:
        return await fetch(x_user)

    app = FastAPI()

    @app.get("/look-alikes")
    async def look_alikes(
        a: Annotated[dict, Depends(current_user)], b: Annotated[dict, Depends(load_user)]
    ) -> list[dict]:
        return [a, b]

    @app.get("/one-function")
    async def one_function(
        a: Annotated[dict, Depends(current_user)], b: Annotated[dict, Depends(current_user)]
    ) -> list[dict]:
        return [a, b]

    per_path = {}
    with live_app(app) as url, httpx.Client(base_url=url) as client:
        for path in ("/look-alikes", "/one-function"):
            before = calls
            assert client.get(path, headers=HEADERS).json() == [{"name": "ada"}] * 2
            per_path[path] = calls - before
    assert per_path == {"/look-alikes": 2, "/one-function": 1}
