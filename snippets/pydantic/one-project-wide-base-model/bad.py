from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict

app = FastAPI()


def datetime_to_gmt_str(dt: datetime) -> str:
    if not dt.tzinfo:
        dt = dt.replace(tzinfo=ZoneInfo("UTC"))
    return dt.strftime("%Y-%m-%dT%H:%M:%S%z")


class CustomModel(BaseModel):
    model_config = ConfigDict(
        json_encoders={datetime: datetime_to_gmt_str},  # deprecated in Pydantic 2
        populate_by_name=True,
    )

    def serializable_dict(self) -> dict[str, Any]:
        return jsonable_encoder(self.model_dump())


class Event(CustomModel):
    name: str
    starts_at: datetime


EVENTS = {1: Event(name="launch", starts_at=datetime(2024, 5, 1, 12, 0))}


@app.get("/events/{event_id}")
async def read_event(event_id: int) -> Event:
    return EVENTS[event_id]


@app.get("/events/{event_id}/export")
async def export_event(event_id: int) -> dict[str, Any]:
    return {"event": EVENTS[event_id].serializable_dict(), "format": "v1"}
