"""FBP502: FastAPI validates whatever a route returns against its response model.

Measured on the FastAPI we pin: how many model instances exist and how often each kind of
validator runs, when a route returns an instance (with `response_model=` and with a return
annotation), a dict, or an instance with no response model at all.
"""

from collections import Counter
from typing import Any, Self

import fastapi.routing
import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, TypeAdapter, field_validator, model_validator

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path
from fastapi_practices.testing.versions import since

PRACTICE = "api-design/response-model-revalidates-returned-objects"
runs: Counter[str] = Counter()


class Profile(BaseModel):
    username: str

    @model_validator(mode="before")
    @classmethod
    def before(cls, data: Any) -> Any:
        runs["before validator"] += 1
        return data

    @field_validator("username")
    @classmethod
    def field(cls, value: str) -> str:
        runs["field validator"] += 1
        return value

    @model_validator(mode="after")
    def after(self) -> Self:
        runs["after validator"] += 1
        return self

    def model_post_init(self, context: Any) -> None:
        runs["instances"] += 1


probe = FastAPI()


@probe.get("/instance-response-model", response_model=Profile)
async def instance_response_model():
    return Profile(username="ada")


@probe.get("/instance-annotation")
async def instance_annotation() -> Profile:
    return Profile(username="ada")


@probe.get("/dict-response-model", response_model=Profile)
async def dict_response_model():
    return {"username": "ada"}


@probe.get("/instance-no-model")
async def instance_no_model():
    return Profile(username="ada")


@pytest.fixture(scope="module")
def measured() -> dict[str, Counter[str]]:
    out = {}
    with live_app(probe) as url, httpx.Client(base_url=url) as client:
        for route in probe.routes:
            path = getattr(route, "path", "")
            if not path.startswith(("/instance", "/dict")):
                continue
            runs.clear()
            assert client.get(path).json() == {"username": "ada"}
            out[path] = Counter(runs)
    return out


def show(counts: Counter[str]) -> str:
    return ", ".join(
        f"{counts[k]} {k}"
        for k in ("instances", "before validator", "field validator", "after validator")
    )


@pytest.mark.parametrize("path", ["/instance-response-model", "/instance-annotation"])
def test_returned_instance_is_not_rebuilt_but_after_validators_run_again(measured, record, path):
    counts = measured[path]
    record(path, f"`{path}`: returns `Profile(...)`", dict(counts), show(counts))
    # One instance (ours): FastAPI does not dump it to a dict and build a second one...
    assert counts["instances"] == 1
    assert counts["before validator"] == 1
    assert counts["field validator"] == 1
    # ...but validating the instance against the response model runs "after" validators again.
    assert counts["after validator"] == 2


def test_returned_dict_is_validated_once(measured, record):
    counts = measured["/dict-response-model"]
    record(
        "/dict-response-model", "`/dict-response-model`: returns a dict", dict(counts), show(counts)
    )
    assert counts == Counter(
        {"instances": 1, "before validator": 1, "field validator": 1, "after validator": 1}
    )


def test_without_response_model_nothing_is_validated_again(measured, record):
    counts = measured["/instance-no-model"]
    record(
        "/instance-no-model",
        "`/instance-no-model`: returns `Profile(...)`, no model declared",
        dict(counts),
        show(counts),
    )
    assert counts["after validator"] == 1


@pytest.mark.parametrize(("name", "expected"), [("bad", 2), ("good", 1)])
def test_side_effect_in_after_validator_fires_twice(name, expected, record):
    module = load_snippet(snippet_path(PRACTICE, name))
    with live_app(module.app) as url:
        response = httpx.post(f"{url}/signups", params={"username": "ada"})
    assert response.status_code == 201
    assert response.json() == {"username": "ada", "plan": "free"}
    record(
        name,
        f"`{name}.py`: audit entries written by one request",
        len(module.audit_log),
        str(len(module.audit_log)),
    )
    assert module.audit_log == ["signup ada"] * expected


def test_json_is_written_by_pydantic_with_a_model_and_by_jsonable_encoder_without(monkeypatch):
    """Which code turns the returned object into the response body, per route."""
    used: list[tuple[str, object]] = []
    jsonable_encoder = fastapi.routing.jsonable_encoder
    dump_json = TypeAdapter.dump_json
    dump_python = TypeAdapter.dump_python

    def spy_jsonable_encoder(obj: Any, *args: Any, **kwargs: Any) -> Any:
        result = jsonable_encoder(obj, *args, **kwargs)
        used.append(("jsonable_encoder", result))
        return result

    def spy_dump_json(self: TypeAdapter[Any], value: Any, /, **kwargs: Any) -> bytes:
        result = dump_json(self, value, **kwargs)
        used.append(("TypeAdapter.dump_json", result))
        return result

    def spy_dump_python(self: TypeAdapter[Any], value: Any, /, **kwargs: Any) -> Any:
        result = dump_python(self, value, **kwargs)
        if kwargs.get("mode") == "json":
            used.append(("TypeAdapter.dump_python", result))
        return result

    monkeypatch.setattr(fastapi.routing, "jsonable_encoder", spy_jsonable_encoder)
    monkeypatch.setattr(TypeAdapter, "dump_json", spy_dump_json)
    monkeypatch.setattr(TypeAdapter, "dump_python", spy_dump_python)
    seen = {}
    with live_app(probe) as url, httpx.Client(base_url=url) as client:
        for path in ("/instance-annotation", "/instance-response-model", "/instance-no-model"):
            used.clear()
            response = client.get(path)
            seen[path] = (list(used), response.content)
    for path in ("/instance-annotation", "/instance-response-model"):
        calls, body = seen[path]
        if since("fastapi", "0.130.0"):
            # Pydantic's serializer wrote the JSON bytes, and they went out unchanged.
            assert calls == [("TypeAdapter.dump_json", body)], path
        else:
            # Pydantic made JSON-ready Python data; the response class wrote the bytes.
            assert calls == [("TypeAdapter.dump_python", {"username": "ada"})], path
            assert body == b'{"username":"ada"}'

    calls, body = seen["/instance-no-model"]
    assert calls == [("jsonable_encoder", {"username": "ada"})]
    assert body == b'{"username":"ada"}'
