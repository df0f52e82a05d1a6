"""FBP302: a project-wide base model, checked in the JSON a live app returns.

The source guide's base model (`json_encoders` in `model_config` plus a `serializable_dict`
method built on `jsonable_encoder`) is run as written, with the versions we pin: it warns
when a subclass is defined, its format reaches the response of a route returning the
model, and its own `serializable_dict` ignores that format.
"""

import warnings

import httpx
import pytest
from fastapi.encoders import jsonable_encoder
from pydantic.warnings import PydanticDeprecatedSince20

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

PRACTICE = "pydantic/one-project-wide-base-model"


def served_timestamps(module) -> dict[str, str]:
    with live_app(module.app) as url, httpx.Client(base_url=url) as client:
        model = client.get("/events/1").json()
        export = client.get("/events/1/export").json()
    return {"/events/1": model["starts_at"], "/events/1/export": export["event"]["starts_at"]}


def test_shared_annotated_type_gives_one_format_everywhere(record) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = load_snippet(snippet_path(PRACTICE, "good"))
    assert [str(w.message) for w in caught] == []
    stamps = served_timestamps(module)
    # Pydantic's own format for this naive datetime would be "2024-05-01T12:00:00".
    assert stamps == {
        "/events/1": "2024-05-01T12:00:00Z",
        "/events/1/export": "2024-05-01T12:00:00Z",
    }
    event = module.EVENTS[1]
    assert event.model_dump_json() == '{"name":"launch","starts_at":"2024-05-01T12:00:00Z"}'
    # Python mode keeps the datetime object; only JSON output is formatted.
    assert event.model_dump()["starts_at"] == event.starts_at
    record(
        "good",
        "`good.py`: `starts_at` in `/events/1` / in `/events/1/export`",
        stamps,
        " / ".join(f"`{v}`" for v in stamps.values()),
    )


def test_guide_base_model_warns_and_its_method_drops_the_format(record) -> None:
    with pytest.warns(PydanticDeprecatedSince20, match="`json_encoders` is deprecated") as caught:
        module = load_snippet(snippet_path(PRACTICE, "bad"))
    stamps = served_timestamps(module)
    # json_encoders still works where Pydantic serialises the model itself...
    assert stamps["/events/1"] == "2024-05-01T12:00:00+0000"
    event = module.EVENTS[1]
    assert event.model_dump_json() == '{"name":"launch","starts_at":"2024-05-01T12:00:00+0000"}'
    assert event.model_dump(mode="json")["starts_at"] == "2024-05-01T12:00:00+0000"
    assert jsonable_encoder(event)["starts_at"] == "2024-05-01T12:00:00+0000"
    # ...but serializable_dict() dumps to Python first, so jsonable_encoder only sees a
    # datetime and writes its isoformat(): no encoder, and here not even a time zone.
    assert event.serializable_dict()["starts_at"] == "2024-05-01T12:00:00"
    assert stamps["/events/1/export"] == "2024-05-01T12:00:00"
    record(
        "bad",
        "`bad.py` (the guide's base model): `/events/1` / `/events/1/export`",
        stamps,
        " / ".join(f"`{v}`" for v in stamps.values()),
    )
    record(
        "bad_warning",
        "`bad.py`: warning when the model module is imported",
        str(caught[0].category.__name__),
        f"`{caught[0].category.__name__}` (an error under `filterwarnings = error`)",
    )


def test_the_warning_fails_an_import_where_warnings_are_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PydanticDeprecatedSince20):
            load_snippet(snippet_path(PRACTICE, "bad"))
