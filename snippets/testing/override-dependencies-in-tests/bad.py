from collections.abc import AsyncIterator

import httpx
import main
import pytest
from httpx import ASGITransport, AsyncClient
from main import app


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
@pytest.mark.anyio
async def test_maintenance_answers_503(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTENANCE", "true")
    response = await client.get("/convert", params={"usd": 10})
    assert response.status_code == 503


@pytest.mark.anyio
async def test_converts_at_the_upstream_rate(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main, "get_rates_client", fake_rates)
    response = await client.get("/convert", params={"usd": 10})
    assert response.json() == {"usd": 10, "eur": 5.0}


# --8<-- [end:overrides]
