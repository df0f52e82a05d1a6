"""FBP403: a dependency reached through Depends runs once per request, however many
dependants share it; a plain function call inside a dependency runs every time."""

import httpx
import pytest

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
