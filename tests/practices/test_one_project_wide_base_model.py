"""FBP302: a project-wide base model, checked in the JSON a live app returns.

The source guide's base model (`json_encoders` in `model_config` plus a `serializable_dict`
method built on `jsonable_encoder`) is run as written, with the versions we pin: it warns
when a subclass is defined, its format reaches the response of a route returning the
model, and its own `serializable_dict` ignores that format.
"""

import inspect
import json
import warnings
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pydantic.config
import pytest
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field
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
    assert all(
        "Deprecated in Pydantic V2.0 to be removed in V3.0." in str(w.message) for w in caught
    )
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
    [category] = {w.category.__name__ for w in caught}
    assert category == PydanticDeprecatedSince20.__name__
    record(
        "bad_warning",
        "`bad.py`: warning when the model module is imported",
        category,
        f"`{category}` (an error under `filterwarnings = error`)",
    )


def test_the_warning_fails_an_import_where_warnings_are_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PydanticDeprecatedSince20):
            load_snippet(snippet_path(PRACTICE, "bad"))


def test_every_subclass_with_a_datetime_warns_when_defined() -> None:
    with pytest.warns(PydanticDeprecatedSince20):
        module = load_snippet(snippet_path(PRACTICE, "bad"))

    def warnings_defining(fields: dict[str, type]) -> list[type[Warning]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            type("Sub", (module.CustomModel,), {"__annotations__": fields})
        return [w.category for w in caught]

    assert warnings_defining({"name": str}) == []
    # One warning per subclass that has a datetime field, each time one is defined.
    assert warnings_defining({"at": datetime}) == [PydanticDeprecatedSince20]
    assert warnings_defining({"name": str, "at": datetime}) == [PydanticDeprecatedSince20]


@pytest.mark.parametrize(("mode", "scale"), [("seconds", 1), ("milliseconds", 1000)])
def test_one_config_key_turns_temporal_fields_into_epoch_numbers(mode, scale) -> None:
    class Stamped(BaseModel):
        model_config = ConfigDict(ser_json_temporal=mode)
        starts_at: datetime
        day: date
        doors: time
        lasts: timedelta

    start, length = datetime(2024, 5, 1, 12, 0), timedelta(minutes=90)
    values = {"starts_at": start, "day": start.date(), "doors": start.time(), "lasts": length}
    event = Stamped(**values)
    midnight = datetime.combine(start.date(), time(), tzinfo=UTC)
    assert json.loads(event.model_dump_json()) == {
        "starts_at": start.replace(tzinfo=UTC).timestamp() * scale,
        "day": midnight.timestamp() * scale,
        "doors": (start.replace(tzinfo=UTC) - midnight).total_seconds() * scale,
        "lasts": length.total_seconds() * scale,
    }
    # Python mode is untouched.
    assert event.model_dump() == values


def test_validate_by_name_and_alias_replace_populate_by_name() -> None:
    # The pinned Pydantic documents populate_by_name as not recommended.
    assert "`populate_by_name` usage is not recommended in v2.11+" in inspect.getsource(
        pydantic.config
    )
    configs = [
        ConfigDict(populate_by_name=True),
        ConfigDict(validate_by_name=True, validate_by_alias=True),
    ]
    for config in configs:

        class Person(BaseModel):
            model_config = config
            full_name: str = Field(alias="fullName")

        assert Person(full_name="Ada").full_name == Person(fullName="Ada").full_name == "Ada"
