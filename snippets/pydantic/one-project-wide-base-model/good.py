from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, PlainSerializer

app = FastAPI()


def utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[datetime, PlainSerializer(utc_text, when_used="json")]


class AppModel(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    def serializable_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Event(AppModel):
    name: str
    starts_at: UtcDateTime


EVENTS = {1: Event(name="launch", starts_at=datetime(2024, 5, 1, 12, 0))}


@app.get("/events/{event_id}")
async def read_event(event_id: int) -> Event:
    return EVENTS[event_id]


@app.get("/events/{event_id}/export")
async def export_event(event_id: int) -> dict[str, Any]:
    return {"event": EVENTS[event_id].serializable_dict(), "format": "v1"}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    client = TestClient(app)
    print(client.get("/events/1").json()["starts_at"])
    #> 2024-05-01T12:00:00Z
    print(client.get("/events/1/export").json()["event"]["starts_at"])
    #> 2024-05-01T12:00:00Z
