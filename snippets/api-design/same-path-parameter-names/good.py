from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()


class Profile(BaseModel):
    id: int
    name: str
    is_creator: bool


PROFILES = {  # stands in for a profiles table
    1: Profile(id=1, name="ada", is_creator=True),
    2: Profile(id=2, name="bob", is_creator=False),
}


# --8<-- [start:app]
async def valid_profile_id(profile_id: int) -> Profile:
    profile = PROFILES.get(profile_id)
    if profile is None:
        raise HTTPException(status_code=404, detail="Profile not found")
    return profile


async def valid_creator_id(
    profile: Annotated[Profile, Depends(valid_profile_id)],
) -> Profile:
    if not profile.is_creator:
        raise HTTPException(status_code=404, detail="Creator not found")
    return profile


@app.get("/profiles/{profile_id}")
async def read_profile(
    profile: Annotated[Profile, Depends(valid_profile_id)],
) -> Profile:
    return profile


@app.get("/creators/{profile_id}")
async def read_creator(
    creator: Annotated[Profile, Depends(valid_creator_id)],
) -> Profile:
    return creator


# --8<-- [end:app]


if __name__ == "__main__":
    from fastapi.testclient import TestClient

    client = TestClient(app)
    print(client.get("/creators/1").json())
    #> {'id': 1, 'name': 'ada', 'is_creator': True}
    print(client.get("/creators/2").status_code)
    #> 404
