from enum import StrEnum

from fastapi import FastAPI
from pydantic import BaseModel, EmailStr, Field, HttpUrl

app = FastAPI()


class Band(StrEnum):
    AEROSMITH = "AEROSMITH"
    QUEEN = "QUEEN"
    ACDC = "AC/DC"


class UserCreate(BaseModel):
    first_name: str = Field(min_length=1, max_length=128)
    username: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    email: EmailStr
    age: int | None = Field(default=None, ge=18)
    favorite_band: Band | None = None
    website: HttpUrl | None = None


@app.post("/users", status_code=201)
async def create_user(user: UserCreate) -> UserCreate:
    return user


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    user = {"first_name": "Ada", "username": "ada;--", "email": "ada@"}
    response = TestClient(app).post("/users", json=user)
    print(response.status_code, [error["type"] for error in response.json()["detail"]])
    #> 422 ['string_pattern_mismatch', 'value_error']
