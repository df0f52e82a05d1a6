"""FBP301: constraints declared on the model reject bad input with a 422 that names every
field; hand-written checks in the route let some through and report one vague message.

Also the `None`-default trap: a default is not validated, so `age: int = Field(ge=18,
default=None)` hands out `None` for an `int` field while rejecting an explicit `null`.
"""

import sys
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, EmailStr, Field, PydanticUserError, ValidationError
from pydantic_core import SchemaError

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "pydantic/let-pydantic-validate"
VALID = {"first_name": "Ada", "username": "ada_l", "email": "ada@example.com"}

# One wrong field each, on top of a valid user; what Pydantic reports for it.
WRONG: dict[str, tuple[dict[str, Any], str, str]] = {
    "username with a semicolon": (
        {"username": "ada;--"},
        "string_pattern_mismatch",
        "String should match pattern '^[A-Za-z0-9_-]+$'",
    ),
    "first name of 500 characters": (
        {"first_name": "A" * 500},
        "string_too_long",
        "String should have at most 128 characters",
    ),
    "e-mail without a domain": (
        {"email": "ada@"},
        "value_error",
        "value is not a valid email address: There must be something after the @-sign.",
    ),
    "website that is not a URL": (
        {"website": "my site"},
        "url_parsing",
        "Input should be a valid URL, relative URL without a base",
    ),
    "website with an ftp scheme": (
        {"website": "ftp://ada.dev"},
        "url_scheme",
        "URL scheme should be 'http' or 'https'",
    ),
    "band not in the enum": (
        {"favorite_band": "ABBA"},
        "enum",
        "Input should be 'AEROSMITH', 'QUEEN' or 'AC/DC'",
    ),
    "age under 18": (
        {"age": 17},
        "greater_than_equal",
        "Input should be greater than or equal to 18",
    ),
}

ALL_WRONG = {
    "first_name": "",
    "username": "a b",
    "email": "nope",
    "age": 3,
    "favorite_band": "ABBA",
    "website": "my site",
}
ALL_WRONG_ERRORS = [
    ("string_too_short", ["body", "first_name"], "String should have at least 1 character"),
    (
        "string_pattern_mismatch",
        ["body", "username"],
        "String should match pattern '^[A-Za-z0-9_-]+$'",
    ),
    (
        "value_error",
        ["body", "email"],
        "value is not a valid email address: An email address must have an @-sign.",
    ),
    ("greater_than_equal", ["body", "age"], "Input should be greater than or equal to 18"),
    ("enum", ["body", "favorite_band"], "Input should be 'AEROSMITH', 'QUEEN' or 'AC/DC'"),
    (
        "url_parsing",
        ["body", "website"],
        "Input should be a valid URL, relative URL without a base",
    ),
]


def post_users(name: str, payloads: list[dict[str, Any]]) -> list[httpx.Response]:
    module = load_snippet(snippet_path(PRACTICE, name))
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        return [client.post("/users", json=payload) for payload in payloads]


@pytest.fixture(scope="module")
def responses() -> dict[str, dict[str, httpx.Response]]:
    cases = {label: {**VALID, **change} for label, (change, _, _) in WRONG.items()}
    cases["all wrong"] = ALL_WRONG
    cases["valid"] = {**VALID, "age": 36, "favorite_band": "QUEEN", "website": "https://ada.dev"}
    out = {}
    for name in ("bad", "good"):
        out[name] = dict(zip(cases, post_users(name, list(cases.values())), strict=True))
    return out


def test_model_constraints_reject_each_wrong_field_with_a_422(responses, record) -> None:
    good = responses["good"]
    for label, (change, error_type, msg) in WRONG.items():
        response = good[label]
        assert response.status_code == 422, label
        [error] = response.json()["detail"]
        field = next(iter(change))
        assert (error["type"], error["loc"], error["msg"]) == (error_type, ["body", field], msg)
        assert error["input"] == change[field]
    record(
        "good_rejected",
        "`good.py`: wrong inputs rejected with a 422",
        len(WRONG),
        f"{len(WRONG)} of {len(WRONG)}",
    )


def test_route_checks_let_wrong_input_through(responses, record) -> None:
    accepted = [label for label in WRONG if responses["bad"][label].status_code == 201]
    record(
        "bad_accepted",
        "`bad.py`: wrong inputs stored (201 Created)",
        accepted,
        f"{len(accepted)} of {len(WRONG)}: " + ", ".join(accepted),
    )
    # Only the band and the age have a check in the route; the other five get through.
    checked = ["band not in the enum", "age under 18"]
    assert accepted == [label for label in WRONG if label not in checked]
    assert [responses["bad"][label].status_code for label in checked] == [400, 400]


def test_every_error_is_reported_at_once_with_its_field(responses, record) -> None:
    good = responses["good"]["all wrong"]
    assert good.status_code == 422
    errors = [(e["type"], e["loc"], e["msg"]) for e in good.json()["detail"]]
    assert errors == ALL_WRONG_ERRORS
    assert [e["input"] for e in good.json()["detail"]] == [
        ALL_WRONG[loc[1]] for _, loc, _ in errors
    ]
    bad = responses["bad"]["all wrong"]
    # The hand-written checks stop at the first failure, without saying which field.
    assert (bad.status_code, bad.json()) == (400, {"detail": "first name is required"})
    record(
        "all_wrong",
        "A body with six wrong fields: errors reported",
        {"bad": 1, "good": len(errors)},
        f"`bad.py`: 1 (400, no field named); `good.py`: {len(errors)} (422, each with its loc)",
    )


def test_valid_input_is_accepted(responses) -> None:
    for name in ("bad", "good"):
        assert responses[name]["valid"].status_code == 201
    # HttpUrl normalises what it accepts: the response carries the parsed URL.
    assert responses["good"]["valid"].json()["website"] == "https://ada.dev/"


def test_none_default_is_not_validated(record) -> None:
    module = load_snippet(snippet_path(PRACTICE, "bad_none_default"))
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        omitted = client.post("/users", json={"username": "ada"})
        explicit = client.post("/users", json={"username": "ada", "age": None})
        schema = client.get("/openapi.json").json()
    # The default is used as it is: an `int` field answers null...
    assert (omitted.status_code, omitted.json()) == (201, {"username": "ada", "age": None})
    # ...but the same null sent by the client is refused as not an integer.
    assert explicit.status_code == 422
    [error] = explicit.json()["detail"]
    assert (error["type"], error["loc"], error["msg"]) == (
        "int_type",
        ["body", "age"],
        "Input should be a valid integer",
    )
    # The published schema promises an optional integer, never null.
    user_schema = schema["components"]["schemas"]["UserCreate"]
    assert user_schema["properties"]["age"] == {"type": "integer", "minimum": 18.0, "title": "Age"}
    assert user_schema["required"] == ["username"]
    record(
        "none_default",
        "`bad_none_default.py`: age omitted / age `null` sent",
        [omitted.status_code, explicit.status_code],
        f'{omitted.status_code} with `"age": null` / {explicit.status_code} `int_type`',
    )


def test_optional_type_with_constraint_accepts_null_and_checks_numbers(record) -> None:
    module = load_snippet(snippet_path(PRACTICE, "good"))
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        omitted = client.post("/users", json=VALID)
        explicit = client.post("/users", json={**VALID, "age": None})
        young = client.post("/users", json={**VALID, "age": 17})
        schema = client.get("/openapi.json").json()
    assert omitted.status_code == explicit.status_code == 201
    assert omitted.json()["age"] is None and explicit.json()["age"] is None
    assert young.status_code == 422
    age = schema["components"]["schemas"]["UserCreate"]["properties"]["age"]
    assert age["anyOf"] == [{"type": "integer", "minimum": 18.0}, {"type": "null"}]
    record(
        "optional",
        "`good.py`: age omitted / `null` / 17",
        [omitted.status_code, explicit.status_code, young.status_code],
        f"{omitted.status_code} / {explicit.status_code} / {young.status_code}",
    )


def test_email_str_needs_email_validator_when_the_class_is_built(monkeypatch) -> None:
    """A None entry in sys.modules is how Python reports a module as not installed."""
    monkeypatch.setitem(sys.modules, "email_validator", None)
    with pytest.raises(ImportError, match="email-validator is not installed"):

        class Signup(BaseModel):
            email: EmailStr


def test_look_around_needs_the_python_regex_engine() -> None:
    pattern = r"^(?!admin)[A-Za-z0-9_-]+$"
    # The default engine is Rust's regex crate: the class is not even built.
    with pytest.raises(SchemaError, match="look-around, including look-ahead and look-behind"):

        class RustEngine(BaseModel):
            username: str = Field(pattern=pattern)

    class PythonEngine(BaseModel):
        model_config = ConfigDict(regex_engine="python-re")
        username: str = Field(pattern=pattern)

    assert PythonEngine(username="ada_l").username == "ada_l"
    with pytest.raises(ValidationError) as caught:
        PythonEngine(username="admin2")
    assert caught.value.errors()[0]["type"] == "string_pattern_mismatch"


def test_field_regex_is_refused_when_the_class_is_built() -> None:
    with pytest.raises(PydanticUserError) as caught:

        class Pydantic1Spelling(BaseModel):
            username: str = Field(regex=r"^[A-Za-z0-9_-]+$")

    assert caught.value.code == "removed-kwargs"
    assert str(caught.value).startswith("`regex` is removed. use `pattern` instead\n")
