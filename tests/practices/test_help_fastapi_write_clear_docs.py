"""FBP504: the OpenAPI document describes what the live app really answers.

Each snippet runs under uvicorn; the test reads its /openapi.json, then drives every outcome
the routes have (created, duplicate, found, not found, invalid body) and checks each status
code it received against the codes the document lists for that operation.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from fastapi_practices.testing.lint import rule_codes
from fastapi_practices.testing.live import live_app, live_server, load_snippet, snippet_path
from fastapi_practices.testing.project import ROOT

PRACTICE = "api-design/help-fastapi-write-clear-docs"
SCREENSHOT = ROOT / "docs" / "practices" / "api-design" / "help-fastapi-write-clear-docs.png"
ORDER = {"sku": "TEA-01", "quantity": 2}


@dataclass
class Served:
    schema: dict[str, Any]
    outcomes: list[tuple[str, str, int, httpx.Response]]  # method, path template, status

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.schema["paths"][path][method]

    def undocumented(self) -> list[str]:
        return [
            f"{status} on {method.upper()} {path}"
            for method, path, status, _ in self.outcomes
            if str(status) not in self.operation(method, path)["responses"]
        ]


def serve(name: str) -> Served:
    with (
        live_server(snippet_path(PRACTICE, name)) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        schema = client.get("/openapi.json").json()
        created = client.post("/orders", json=ORDER)
        order_id = created.json()["id"]
        outcomes = [
            ("post", "/orders", created),
            ("post", "/orders", client.post("/orders", json=ORDER)),
            ("get", "/orders/{order_id}", client.get(f"/orders/{order_id}")),
            ("get", "/orders/{order_id}", client.get("/orders/999")),
            ("post", "/orders", client.post("/orders", json={"sku": "TEA-02"})),
        ]
    return Served(schema, [(m, p, r.status_code, r) for m, p, r in outcomes])


@pytest.fixture(scope="module")
def served() -> dict[str, Served]:
    return {name: serve(name) for name in ("bad", "good")}


def documented(operation: dict[str, Any]) -> str:
    parts = []
    for code, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        ref = schema.get("$ref", "").rsplit("/", 1)[-1] if schema is not None else ""
        parts.append(f"{code} → `{ref}`" if ref else f"{code} (schema `{{}}`)")
    return ", ".join(parts)


def test_both_apps_behave_the_same(served) -> None:
    """The snippets differ in what they declare, not in what they do (bar 201 vs 200)."""
    for name, expected_create in (("bad", 200), ("good", 201)):
        statuses = [status for _, _, status, _ in served[name].outcomes]
        assert statuses == [expected_create, 409, 200, 404, 422]
        assert served[name].outcomes[2][3].json() == {"id": 1, **ORDER}


def test_bare_routes_leave_outcomes_undocumented(served, record) -> None:
    bad = served["bad"]
    missing = bad.undocumented()
    record(
        "bad-undocumented",
        "`bad.py`: status codes the live app sent that its OpenAPI does not list",
        missing,
        f"{len(missing)} of {len(bad.outcomes)}: " + ", ".join(missing),
    )
    assert missing == ["409 on POST /orders", "404 on GET /orders/{order_id}"]

    post = bad.operation("post", "/orders")
    record(
        "bad-post",
        "`bad.py`: `POST /orders` responses in the OpenAPI",
        post["responses"],
        documented(post),
    )
    # The success body has an empty schema: a client generator learns nothing from it.
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {}
    assert set(post["responses"]) == {"200", "422"}
    # FastAPI still derives a summary from the function name, but nothing else.
    assert post["summary"] == "Create Order"
    assert "description" not in post
    assert "tags" not in post


def test_declared_routes_document_every_outcome(served, record) -> None:
    good = served["good"]
    missing = good.undocumented()
    record(
        "good-undocumented",
        "`good.py`: status codes the live app sent that its OpenAPI does not list",
        missing,
        f"{len(missing)} of {len(good.outcomes)}",
    )
    assert missing == []

    post = good.operation("post", "/orders")
    get = good.operation("get", "/orders/{order_id}")
    record(
        "good-post",
        "`good.py`: `POST /orders` responses in the OpenAPI",
        post["responses"],
        documented(post),
    )
    record(
        "good-get",
        "`good.py`: `GET /orders/{order_id}` responses in the OpenAPI",
        get["responses"],
        documented(get),
    )
    ref = "#/components/schemas/{}".format
    assert post["summary"] == "Place an order"
    assert post["description"].startswith("Reserve stock for one SKU.")
    assert post["tags"] == get["tags"] == ["orders"]
    assert set(post["responses"]) == {"201", "409", "422"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": ref("Order")
    }
    assert post["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": ref("Problem")
    }
    assert set(get["responses"]) == {"200", "404", "422"}
    assert get["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": ref("Problem")
    }


def test_documented_error_model_matches_the_body_sent(served) -> None:
    good = served["good"]
    problem = good.schema["components"]["schemas"]["Problem"]
    errors = [response for _, _, status, response in good.outcomes if status in (404, 409)]
    assert sorted(response.status_code for response in errors) == [404, 409]
    for response in errors:
        assert set(response.json()) == set(problem["required"]) == set(problem["properties"])
        assert set(response.json()) == {"detail"}
    order = good.schema["components"]["schemas"]["Order"]
    assert set(good.outcomes[0][3].json()) == set(order["properties"])


# ------------------------------------- the guide's example: a model for the route's own code


class DefaultResponse(BaseModel):
    id: int


class CreatedResponse(BaseModel):
    message: str


def test_a_responses_model_for_the_main_status_code_replaces_the_documented_schema(
    record,
) -> None:
    app = FastAPI()

    @app.post(
        "/things",
        response_model=DefaultResponse,
        status_code=201,
        responses={201: {"model": CreatedResponse, "description": "Created"}},
    )
    async def create_thing() -> dict[str, int]:
        return {"id": 1}

    with live_app(app) as url, httpx.Client(base_url=url) as client:
        schema = client.get("/openapi.json").json()
        body = client.post("/things").json()
    documented_201 = schema["paths"]["/things"]["post"]["responses"]["201"]
    record(
        "guide-201",
        "`response_model=DefaultResponse`, `status_code=201` and "
        '`responses={201: {"model": CreatedResponse}}`',
        {"documented": documented_201, "sent": body},
        f"documents 201 as `CreatedResponse`, sends `{body}`, a `DefaultResponse`",
    )
    # The docs promise CreatedResponse; the body is filtered through DefaultResponse.
    assert documented_201["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreatedResponse"
    }
    assert body == {"id": 1}


class OkResponse(BaseModel):
    status: str


class Accepted(BaseModel):
    ticket: int


def test_the_guides_200_and_202_are_documented_but_sent_only_when_the_code_says_so() -> None:
    app = FastAPI()
    guide = {
        "response_model": DefaultResponse,
        "status_code": 201,
        "responses": {
            200: {"model": OkResponse, "description": "Ok"},
            201: {"model": CreatedResponse, "description": "Created"},
            202: {"model": Accepted, "description": "Accepted"},
        },
    }

    @app.post("/plain", **guide)
    async def plain() -> dict[str, int]:
        return {"id": 1}

    @app.post("/returns-a-response", **guide)
    async def returns_a_response() -> JSONResponse:
        return JSONResponse({"ticket": 7}, status_code=202)

    @app.post("/sets-the-status", **guide)
    async def sets_the_status(response: Response) -> dict[str, int]:
        response.status_code = 202
        return {"id": 1}

    with live_app(app) as url, httpx.Client(base_url=url) as client:
        schema = client.get("/openapi.json").json()
        sent = {path: client.post(path) for path in schema["paths"]}
    for path in schema["paths"]:
        assert set(schema["paths"][path]["post"]["responses"]) == {"200", "201", "202"}
    assert (sent["/plain"].status_code, sent["/plain"].json()) == (201, {"id": 1})
    # 202 goes out only when the route's code asks for it: a returned Response, or the
    # status set on the injected Response, whose body is still filtered by response_model.
    assert (sent["/returns-a-response"].status_code, sent["/returns-a-response"].json()) == (
        202,
        {"ticket": 7},
    )
    assert (sent["/sets-the-status"].status_code, sent["/sets-the-status"].json()) == (
        202,
        {"id": 1},
    )


def test_return_annotation_and_response_model_give_the_same_document() -> None:
    def documented_app(style: str) -> dict[str, Any]:
        app = FastAPI()
        if style == "annotation":

            @app.get("/things/{thing_id}")
            async def read_thing(thing_id: int) -> DefaultResponse:
                return DefaultResponse(id=thing_id)

        elif style == "response_model":

            @app.get("/things/{thing_id}", response_model=DefaultResponse)
            async def read_thing(thing_id: int):
                return DefaultResponse(id=thing_id)

        else:

            @app.get("/things/{thing_id}")
            async def read_thing(thing_id: int):
                return DefaultResponse(id=thing_id)

        with live_app(app) as url:
            return httpx.get(f"{url}/openapi.json").json()

    annotation = documented_app("annotation")
    assert annotation == documented_app("response_model")
    # Not equal by accident: without either declaration the document differs.
    assert annotation != documented_app("neither")
    ok = annotation["paths"]["/things/{thing_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DefaultResponse"
    }


BOTH_DECLARATIONS = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Order(BaseModel):
    id: int


@app.get("/orders/{order_id}", response_model=Order)
async def read_order(order_id: int) -> Order:
    return Order(id=order_id)
"""


def fast_rules(source: str) -> list[str]:
    """The FAST rule codes ruff (no configuration, FAST selected) reports on `source`."""
    return rule_codes(source, "FAST")


def test_ruff_flags_a_response_model_repeated_in_the_annotation() -> None:
    assert fast_rules(BOTH_DECLARATIONS) == ["FAST001"]
    assert fast_rules(snippet_path(PRACTICE, "good").read_text()) == []


def test_default_docs_page_loads_swagger_ui_from_a_cdn() -> None:
    module = load_snippet(snippet_path(PRACTICE, "good"))
    with live_app(module.app) as url:
        page = httpx.get(f"{url}/docs").text
    assert '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@' in page


def test_screenshot_of_the_good_docs_page_is_a_png() -> None:
    """Regenerate with `.venv/bin/python -m fastapi_practices.tools.screenshot` (needs Chromium)."""
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    # A blank page compresses to a few kilobytes; the rendered docs do not.
    assert len(data) > 40_000
