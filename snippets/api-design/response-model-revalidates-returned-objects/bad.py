from typing import Self

from fastapi import FastAPI
from pydantic import BaseModel, model_validator

app = FastAPI()
audit_log: list[str] = []  # stands in for an audit table or a metrics counter


class Signup(BaseModel):
    username: str
    plan: str = "free"

    @model_validator(mode="after")
    def record_signup(self) -> Self:
        audit_log.append(f"signup {self.username}")  # a side effect in a validator
        return self


@app.post("/signups", response_model=Signup, status_code=201)
async def create_signup(username: str):
    return Signup(username=username)


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    TestClient(app).post("/signups", params={"username": "ada"})
    print(audit_log)
    #> ['signup ada', 'signup ada']
