from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
BANDS = {"AEROSMITH", "QUEEN", "AC/DC"}


class UserCreate(BaseModel):
    first_name: str
    username: str
    email: str
    age: int | None = None
    favorite_band: str | None = None
    website: str | None = None


@app.post("/users", status_code=201)
async def create_user(user: UserCreate) -> UserCreate:
    if not user.first_name:
        raise HTTPException(status_code=400, detail="first name is required")
    if " " in user.username:
        raise HTTPException(status_code=400, detail="invalid username")
    if "@" not in user.email:
        raise HTTPException(status_code=400, detail="invalid email")
    if user.age is not None and user.age < 18:
        raise HTTPException(status_code=400, detail="too young")
    if user.favorite_band and user.favorite_band not in BANDS:
        raise HTTPException(status_code=400, detail="unknown band")
    return user


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    user = {"first_name": "Ada", "username": "ada;--", "email": "ada@"}
    response = TestClient(app).post("/users", json=user)
    print(response.status_code, response.json()["username"])
    #> 201 ada;--
