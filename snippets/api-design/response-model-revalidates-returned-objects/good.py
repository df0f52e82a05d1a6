from typing import Self

from fastapi import FastAPI
from pydantic import BaseModel, model_validator

app = FastAPI()
audit_log: list[str] = []  # stands in for an audit table or a metrics counter


class Signup(BaseModel):
    username: str
    plan: str = "free"

    @model_validator(mode="after")
    def check_plan(self) -> Self:
        if self.plan not in {"free", "team"}:  # validation only: safe to run again
            raise ValueError(f"unknown plan {self.plan!r}")
        return self


@app.post("/signups", status_code=201)
async def create_signup(username: str) -> Signup:
    signup = Signup(username=username)
    audit_log.append(f"signup {signup.username}")  # the side effect, once, in the route
    return signup


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    TestClient(app).post("/signups", params={"username": "ada"})
    print(audit_log)
    #> ['signup ada']
