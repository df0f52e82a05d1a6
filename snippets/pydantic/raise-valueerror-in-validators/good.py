from fastapi import FastAPI
from pydantic import BaseModel, field_validator

app = FastAPI()


class ProfileCreate(BaseModel):
    username: str
    password: str

    @field_validator("password")
    @classmethod
    def strong_password(cls, password: str) -> str:
        if len(password) < 12 or password.isalpha() or password.islower():
            raise ValueError("use 12+ characters with a digit or symbol and a capital")
        return password


@app.post("/profiles", status_code=201)
async def create_profile(profile: ProfileCreate) -> dict[str, str]:
    return {"username": profile.username}


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    weak = {"username": "ada", "password": "lovelace"}
    response = TestClient(app).post("/profiles", json=weak)
    print(response.status_code, response.json()["detail"][0]["msg"])
    #> 422 Value error, use 12+ characters with a digit or symbol and a capital
