from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    rates_api_url: str = "http://127.0.0.1:8001"  # env: RATES_API_URL


settings = Settings()


class Rate(BaseModel):
    currency: str
    day: str
    rate: float


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # A synchronous SDK client: each call blocks until the remote service answers.
    with httpx.Client(base_url=settings.rates_api_url, timeout=5) as client:
        app.state.rates_client = client
        yield


app = FastAPI(lifespan=lifespan)


async def rates_client(request: Request) -> httpx.Client:
    return request.app.state.rates_client


RatesClient = Annotated[httpx.Client, Depends(rates_client)]


@app.get("/prices/{currency}")
async def price(currency: str, client: RatesClient, day: str = "today") -> Rate:
    response = client.get(f"/rates/{currency}", params={"day": day})
    response.raise_for_status()
    return Rate.model_validate(response.json())
