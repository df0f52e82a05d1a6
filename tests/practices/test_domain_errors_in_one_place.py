"""FBP505: domain errors mapped once give one documented status and body per failure.

Both apps serve the same two routes over the same in-memory orders on a live uvicorn. The
bad one raises `HTTPException` inside its services and from a middleware; the good one
raises its own exceptions and maps them in one registered handler, declared in OpenAPI.
"""

from __future__ import annotations

import httpx
import pytest

from fastapi_practices.testing.live import live_server, load_snippet, snippet_path

PRACTICE = "api-design/domain-errors-in-one-place"

# The same failures, provoked on each app: (label, method, path)
MISSING_GET = ("missing order, read", "GET", "/orders/999")
MISSING_RESERVE = ("missing order, reserve", "POST", "/orders/999/reserve?quantity=1")
TOO_MANY = ("not enough stock", "POST", "/orders/1/reserve?quantity=1000")


def answers(name: str, *, read_only: bool = False) -> tuple[dict, dict[str, httpx.Response]]:
    """The app's OpenAPI document, and its answer to each failure."""
    env = {"READ_ONLY": "1" if read_only else "0"}
    with (
        live_server(snippet_path(PRACTICE, name), env=env) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        openapi = client.get("/openapi.json").json()
        failures = (MISSING_GET, MISSING_RESERVE, TOO_MANY)
        out = {label: client.request(method, path) for label, method, path in failures}
        assert client.get("/orders/1").status_code == 200
    return openapi, out


def template(path: str) -> str:
    """The route template that serves `path`."""
    return "/orders/{order_id}/reserve" if "/reserve" in path else "/orders/{order_id}"


def documented(openapi: dict, method: str, path: str) -> set[int]:
    """The statuses OpenAPI documents for the route that serves `path`."""
    responses = openapi["paths"][template(path)][method.lower()]["responses"]
    return {int(code) for code in responses}


def test_bad_answers_one_failure_two_ways_and_documents_none() -> None:
    openapi, out = answers("bad")
    get, reserve = out[MISSING_GET[0]], out[MISSING_RESERVE[0]]
    # The same missing order: 404 from one route, 400 with another body from the other.
    assert get.status_code == 404
    assert get.json() == {"detail": "Order not found"}
    assert reserve.status_code == 400
    assert reserve.json() == {"detail": {"error": "no order 999"}}
    assert out[TOO_MANY[0]].status_code == 409
    # None of these statuses is in the OpenAPI document: only 200 and 422 are.
    for label, method, path in (MISSING_GET, MISSING_RESERVE, TOO_MANY):
        assert documented(openapi, method, path) == {200, 422}
        assert out[label].status_code not in documented(openapi, method, path)


def test_good_answers_each_failure_once_as_documented() -> None:
    openapi, out = answers("good")
    get, reserve = out[MISSING_GET[0]], out[MISSING_RESERVE[0]]
    assert get.status_code == reserve.status_code == 404
    assert get.json() == reserve.json() == {"code": "order_not_found", "detail": "no order 999"}
    assert out[TOO_MANY[0]].status_code == 409
    assert out[TOO_MANY[0]].json()["code"] == "insufficient_stock"
    problem = openapi["components"]["schemas"]["Problem"]
    for label, method, path in (MISSING_GET, MISSING_RESERVE, TOO_MANY):
        response = out[label]
        assert response.status_code in documented(openapi, method, path)
        content = openapi["paths"][template(path)][method.lower()]["responses"]
        schema = content[str(response.status_code)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}
        assert set(response.json()) == set(problem["required"])


def test_httpexception_from_middleware_is_a_500() -> None:
    """Raised in `@app.middleware("http")`, HTTPException never reaches FastAPI's handler:
    the client gets a plain 500, not the 503 the code asked for."""
    with live_server(snippet_path(PRACTICE, "bad"), env={"READ_ONLY": "1"}) as server:
        response = httpx.post(f"{server.url}/orders/1/reserve?quantity=1", timeout=10)
        assert httpx.get(f"{server.url}/orders/1", timeout=10).status_code == 200
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


def test_good_read_only_is_a_documented_503() -> None:
    with live_server(snippet_path(PRACTICE, "good"), env={"READ_ONLY": "1"}) as server:
        response = httpx.post(f"{server.url}/orders/1/reserve?quantity=1", timeout=10)
        openapi = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    assert response.status_code == 503
    assert response.json() == {"code": "read_only", "detail": "read-only mode"}
    assert "503" in openapi["paths"]["/orders/{order_id}/reserve"]["post"]["responses"]


def test_services_raise_http_or_domain_errors() -> None:
    """What a CLI or a worker calling the service directly would have to catch."""
    from fastapi import HTTPException

    bad = load_snippet(snippet_path(PRACTICE, "bad"))
    good = load_snippet(snippet_path(PRACTICE, "good"))
    with pytest.raises(HTTPException) as raised:
        bad.reserve(999, 1)
    assert raised.value.status_code == 400
    with pytest.raises(good.OrderNotFound) as caught:
        good.reserve(999, 1)
    assert not isinstance(caught.value, HTTPException)
    assert type(caught.value).__module__ == good.__name__
