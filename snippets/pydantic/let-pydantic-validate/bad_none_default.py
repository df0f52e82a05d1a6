from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    age: int = Field(ge=18, default=None)  # says int, defaults to None


@app.post("/users", status_code=201)
async def create_user(user: UserCreate) -> UserCreate:
    return user


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    client = TestClient(app)
    print(client.post("/users", json={"username": "ada"}).json())
    #> {'username': 'ada', 'age': None}
    print(client.post("/users", json={"username": "ada", "age": None}).status_code)
    #> 422
