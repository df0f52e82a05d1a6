from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from httpx import ASGITransport, AsyncClient
from main import Settings, app, get_rates_client, get_settings

Overrides = dict[Callable[..., Any], Callable[..., Any]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def fake_rates() -> AsyncIterator[httpx.AsyncClient]:
    answer = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"rate": 0.5})
    )
    async with httpx.AsyncClient(
        transport=answer, base_url="http://rates.test"
    ) as client:
        yield client


# --8<-- [start:overrides]
@pytest.fixture
def overrides() -> Overrides:
    return app.dependency_overrides  # set in one test, still set in the next


@pytest.mark.anyio
async def test_maintenance_answers_503(
    client: AsyncClient, overrides: Overrides
) -> None:
    overrides[get_settings] = lambda: Settings(
        rates_url="http://rates.test", maintenance=True
    )
    response = await client.get("/convert", params={"usd": 10})
    assert response.status_code == 503


@pytest.mark.anyio
async def test_converts_at_the_upstream_rate(
    client: AsyncClient, overrides: Overrides
) -> None:
    overrides[get_rates_client] = fake_rates
    response = await client.get("/convert", params={"usd": 10})
    assert response.json() == {"usd": 10, "eur": 5.0}


# --8<-- [end:overrides]
