from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    app_name: str = "Prices"
    rates_url: str
    maintenance: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()  # reads APP_NAME, RATES_URL, MAINTENANCE from the environment


async def get_rates_client(
    settings: Annotated[Settings, Depends(get_settings)],
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=settings.rates_url) as client:
        yield client


app = FastAPI(title=get_settings().app_name)  # settings read (and cached) at import


@app.get("/convert")
async def convert(
    usd: float,
    settings: Annotated[Settings, Depends(get_settings)],
    rates: Annotated[httpx.AsyncClient, Depends(get_rates_client)],
) -> dict[str, float]:
    if settings.maintenance:
        raise HTTPException(status_code=503, detail="Down for maintenance")
    response = await rates.get("/usd-eur")
    response.raise_for_status()
    return {"usd": usd, "eur": round(usd * response.json()["rate"], 2)}
