"""FBP304: a `ValueError` raised in a validator reaches the client as a 422 entry naming
the field; an `HTTPException` raised there escapes Pydantic, hides the other errors and
breaks the model everywhere outside a request.

Also: the source guide's snippet validates a field its model does not declare, and where a
`ValueError` does *not* become a 422 (a model built by a dependency).
"""

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, PydanticUserError, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "pydantic/raise-valueerror-in-validators"
WEAK = {"username": "ada", "password": "lovelace"}
MESSAGE = "use 12+ characters with a digit or symbol and a capital"


def post_profiles(name: str, bodies: list[dict]) -> list[httpx.Response]:
    module = load_snippet(snippet_path(PRACTICE, name))
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        return [client.post("/profiles", json=body) for body in bodies]


def test_value_error_becomes_a_422_entry_for_the_field(record) -> None:
    weak, two_wrong, strong = post_profiles(
        "good",
        [
            WEAK,
            {"username": 7, "password": "lovelace"},
            {"username": "ada", "password": "Analytical-Engine-1843"},
        ],
    )
    assert weak.status_code == 422
    assert weak.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body", "password"],
                "msg": f"Value error, {MESSAGE}",
                "input": "lovelace",
                # Pydantic puts the exception object in ctx; FastAPI's JSON encoder writes it as {}.
                "ctx": {"error": {}},
            }
        ]
    }
    assert two_wrong.status_code == 422
    assert [(e["type"], e["loc"]) for e in two_wrong.json()["detail"]] == [
        ("string_type", ["body", "username"]),
        ("value_error", ["body", "password"]),
    ]
    assert (strong.status_code, strong.json()) == (201, {"username": "ada"})
    record(
        "good",
        "`good.py`: weak password / wrong username and weak password",
        [weak.status_code, len(two_wrong.json()["detail"])],
        f'{weak.status_code} `value_error` at `["body", "password"]` / '
        f"{len(two_wrong.json()['detail'])} errors in one 422",
    )


def test_http_exception_escapes_validation_and_hides_other_errors(record) -> None:
    weak, two_wrong = post_profiles("bad", [WEAK, {"username": 7, "password": "lovelace"}])
    assert (weak.status_code, weak.json()) == (400, {"detail": "weak password"})
    # The wrong username was already collected as an error, but the exception threw it away.
    assert (two_wrong.status_code, two_wrong.json()) == (400, {"detail": "weak password"})
    record(
        "bad",
        "`bad.py`: weak password / wrong username and weak password",
        [weak.status_code, two_wrong.status_code],
        f'{weak.status_code} `{{"detail": "weak password"}}`, no field named / '
        "the same 400, the username error is lost",
    )


@pytest.mark.parametrize(("name", "raised"), [("good", ValidationError), ("bad", HTTPException)])
def test_the_model_outside_a_request(name, raised) -> None:
    """Scripts, workers and tests build the model too; there an HTTPException makes no sense."""
    module = load_snippet(snippet_path(PRACTICE, name))
    with pytest.raises(raised):
        module.ProfileCreate(**WEAK)


def test_guide_snippet_fails_at_class_definition() -> None:
    """The guide's model declares only `username` but validates `password`."""
    with pytest.raises(PydanticUserError) as caught:

        class ProfileCreate(BaseModel):
            username: str

            @field_validator("password", mode="after")
            @classmethod
            def valid_password(cls, password: str) -> str:
                return password

    assert caught.value.code == "decorator-missing-field"
    assert str(caught.value).startswith("Decorators defined with incorrect fields: ")
    assert "valid_password (use check_fields=False if you're inheriting from the model" in str(
        caught.value
    )


def test_value_error_is_a_422_only_where_fastapi_validates(record) -> None:
    module = load_snippet(snippet_path(PRACTICE, "good"))
    probe = FastAPI()

    @probe.get("/query-model")
    async def query_model(profile: Annotated[module.ProfileCreate, Query()]) -> dict:
        return {"username": profile.username}

    @probe.get("/depends-model")
    async def depends_model(profile: Annotated[module.ProfileCreate, Depends()]) -> dict:
        return {"username": profile.username}

    with live_app(probe) as url, httpx.Client(base_url=url) as client:
        query = client.get("/query-model", params=WEAK)
        depends = client.get("/depends-model", params=WEAK)
    assert query.status_code == 422
    assert query.json()["detail"][0]["loc"] == ["query", "password"]
    # Depends(Model) calls the class like any dependency: the ValidationError is a crash.
    assert (depends.status_code, depends.text) == (500, "Internal Server Error")
    record(
        "where",
        "Same model as `Annotated[Model, Query()]` / as `Depends()`",
        [query.status_code, depends.status_code],
        f"{query.status_code} / {depends.status_code} Internal Server Error",
    )


def test_assertion_and_custom_errors_also_become_422_entries() -> None:
    class Booking(BaseModel):
        nights: int
        guests: int

        @field_validator("nights")
        @classmethod
        def at_least_one_night(cls, nights: int) -> int:
            if nights < 1:
                raise AssertionError("book at least one night")
            return nights

        @field_validator("guests")
        @classmethod
        def room_size(cls, guests: int) -> int:
            if guests > 4:
                raise PydanticCustomError("too_many_guests", "at most {limit} guests", {"limit": 4})
            return guests

    probe = FastAPI()

    @probe.post("/bookings", status_code=201)
    async def book(booking: Booking) -> Booking:
        return booking

    with live_app(probe) as url, httpx.Client(base_url=url) as client:
        response = client.post("/bookings", json={"nights": 0, "guests": 9})
    assert response.status_code == 422
    assert [(e["type"], e["loc"], e["msg"], e["input"]) for e in response.json()["detail"]] == [
        ("assertion_error", ["body", "nights"], "Assertion failed, book at least one night", 0),
        ("too_many_guests", ["body", "guests"], "at most 4 guests", 9),
    ]
