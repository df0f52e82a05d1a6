"""FBP501: a shared dependency reads its path parameter by name. A route whose path names
the same value differently does not feed it: FastAPI turns the dependency's parameter into
a required query parameter, the path segment is ignored, and OpenAPI documents the query."""

import httpx
import pytest

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "api-design/same-path-parameter-names"
ADA = {"id": 1, "name": "ada", "is_creator": True}


def observe(name: str) -> dict[str, object]:
    module = load_snippet(snippet_path(PRACTICE, name))
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        creator_path = next(
            p for p in client.get("/openapi.json").json()["paths"] if p.startswith("/creators/")
        )
        operation = client.get("/openapi.json").json()["paths"][creator_path]["get"]
        params = {(p["name"], p["in"], p["required"]) for p in operation["parameters"]}
        creator = client.get("/creators/1")
        not_a_creator = client.get("/creators/2")
        path_vs_query = client.get("/creators/2", params={"profile_id": 1})
        missing_profile = client.get("/profiles/9")
    return {
        "path": creator_path,
        "params": params,
        "creator": (creator.status_code, creator.json()),
        "not_a_creator": (not_a_creator.status_code, not_a_creator.json()),
        "path_vs_query": (path_vs_query.status_code, path_vs_query.json()),
        "missing_profile": (missing_profile.status_code, missing_profile.json()),
    }


@pytest.fixture(scope="module")
def seen() -> dict[str, dict[str, object]]:
    return {name: observe(name) for name in ("bad", "good")}


def test_renamed_path_parameter_turns_into_a_required_query_parameter(seen, record) -> None:
    bad = seen["bad"]
    assert bad["path"] == "/creators/{creator_id}"
    # The dependency still asks for `profile_id`; nothing in the path has that name.
    assert bad["params"] == {("profile_id", "query", True)}
    status, body = bad["creator"]
    assert status == 422
    assert [(e["type"], e["loc"]) for e in body["detail"]] == [("missing", ["query", "profile_id"])]
    # The path segment is ignored: /creators/2 answers with profile 1, chosen by the query.
    assert bad["path_vs_query"] == (200, ADA)
    record(
        "bad_status",
        "`bad.py`: `GET /creators/1`",
        status,
        "422, `profile_id` missing from the query",
    )
    record(
        "bad_params",
        "`bad.py`: parameters OpenAPI documents for the creator route",
        sorted(map(list, bad["params"])),
        "`profile_id` in query (required); no path parameter",
    )
    record(
        "bad_ignored",
        "`bad.py`: `GET /creators/2?profile_id=1`",
        bad["path_vs_query"][0],
        "200 with profile 1: the path segment is ignored",
    )


def test_same_name_lets_one_dependency_serve_every_route(seen, record) -> None:
    good = seen["good"]
    assert good["path"] == "/creators/{profile_id}"
    assert good["params"] == {("profile_id", "path", True)}
    assert good["creator"] == (200, ADA)
    assert good["not_a_creator"] == (404, {"detail": "Creator not found"})
    assert good["missing_profile"] == (404, {"detail": "Profile not found"})
    # A stray query parameter of the same name does not override the path.
    assert good["path_vs_query"] == (404, {"detail": "Creator not found"})
    record("good_status", "`good.py`: `GET /creators/1`", good["creator"][0], "200, profile 1")
    record(
        "good_params",
        "`good.py`: parameters OpenAPI documents for the creator route",
        sorted(map(list, good["params"])),
        "`profile_id` in path (required)",
    )
    record(
        "good_ignored",
        "`good.py`: `GET /creators/2?profile_id=1`",
        good["path_vs_query"][0],
        "404 Creator not found: the path decides",
    )


def test_explicit_path_closes_the_query_back_door() -> None:
    """Declaring `Path()` in the dependency does not fix a renamed route, but it stops a
    query string from choosing the object: the route then always answers 422."""
    from typing import Annotated

    from fastapi import Depends, FastAPI, Path

    probe = FastAPI()

    async def valid_profile_id(profile_id: Annotated[int, Path()]) -> int:
        return profile_id

    @probe.get("/creators/{creator_id}")
    async def read_creator(profile: Annotated[int, Depends(valid_profile_id)]) -> int:
        return profile

    with live_app(probe) as url, httpx.Client(base_url=url) as client:
        response = client.get("/creators/2", params={"profile_id": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "profile_id"]
