"""A real PostgreSQL for the tests: the one DATABASE_URL names, or an embedded one.

Without DATABASE_URL the tests start their own server from the `pgserver` wheel (PostgreSQL
binaries on PyPI), once per test session, and remove it at the end. Each test module gets a
fresh database of its own on that server. Nothing here skips: a server that cannot be
reached or started fails the test with what to do about it.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

HOW_TO_FIX = (
    "The database tests need PostgreSQL. Either set DATABASE_URL to a server you can create "
    "databases on (e.g. DATABASE_URL=postgresql://postgres:secret@127.0.0.1:5432/postgres), "
    "or let them start an embedded one: `make test` installs the `pgserver` package from "
    "uv.lock, which needs a writable temporary directory and about 100 MB of disk."
)


class PostgresUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Database:
    """One database on the test server, in the forms the code under test wants."""

    url: URL  # SQLAlchemy URL with the asyncpg driver: postgresql+asyncpg://...

    @property
    def name(self) -> str:
        return str(self.url.database)

    @property
    def async_url(self) -> str:
        """For create_async_engine(): postgresql+asyncpg://..."""
        return self.url.render_as_string(hide_password=False)

    @property
    def plain_url(self) -> str:
        """postgresql://... as a DATABASE_URL setting or asyncpg.connect() takes it."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def connect_kwargs(self) -> dict[str, object]:
        """Keyword arguments for asyncpg.connect()."""
        query = dict(self.url.query)
        return {
            "user": self.url.username,
            "password": self.url.password,
            "database": self.url.database,
            "host": self.url.host or query.get("host"),
            "port": self.url.port,
        }


def _as_asyncpg(url: str) -> URL:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise PostgresUnavailable(
            f"DATABASE_URL must be a postgresql:// URL, got {parsed.drivername}://"
        )
    return parsed.set(drivername="postgresql+asyncpg")


@contextmanager
def postgres_server(configured: str | None) -> Iterator[URL]:
    """The server's admin URL (database `postgres`): `configured`'s, or an embedded server's."""
    if configured:
        url = _as_asyncpg(configured)
        _check_reachable(url)
        yield url
        return
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as on CI), on import of pgserver.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver
    with tempfile.TemporaryDirectory(prefix="fbp-pg-") as pgdata:
        try:
            server = pgserver.get_server(pgdata, cleanup_mode="stop")
        except Exception as exc:
            raise PostgresUnavailable(
                f"could not start the embedded PostgreSQL: {exc}\n{HOW_TO_FIX}"
            ) from exc
        try:
            # pgserver hands out postgresql://postgres:@/postgres?host=<socket dir>
            uri = server.get_uri()
            socket_dir = re.search(r"host=([^&]+)", uri)
            url = URL.create(
                "postgresql+asyncpg",
                username="postgres",
                database="postgres",
                query={"host": socket_dir.group(1)} if socket_dir else {},
            )
            _check_reachable(url)
            yield url
        finally:
            server.cleanup()


def _run(coro):
    return asyncio.run(coro)


async def _execute(url: URL, sql: str) -> None:
    db = Database(url)
    conn = await asyncpg.connect(**db.connect_kwargs(), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _check_reachable(url: URL) -> None:
    try:
        _run(_execute(url, "SELECT 1"))
    except Exception as exc:
        raise PostgresUnavailable(
            f"cannot reach PostgreSQL at {url!r}: {exc}\n{HOW_TO_FIX}"
        ) from exc


@contextmanager
def fresh_database(server: URL, label: str) -> Iterator[Database]:
    """CREATE DATABASE for one test module; DROP it afterwards."""
    name = re.sub(r"[^a-z0-9_]", "_", f"fbp_{label}".lower())[:40] + "_" + uuid.uuid4().hex[:8]
    _run(_execute(server, f'CREATE DATABASE "{name}"'))
    try:
        yield Database(server.set(database=name))
    finally:
        _run(_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def in_schema(
    database: Database, schema: str, work: Callable[[Connection], Any], *, fresh: bool = True
) -> Any:
    """Run `work` in one transaction on a live connection, with `schema` first on the search
    path (emptied first unless fresh=False), so tests sharing a database keep apart."""

    async def run() -> Any:
        engine = create_async_engine(database.async_url)
        try:
            async with engine.begin() as conn:
                if fresh:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                    await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                await conn.execute(text(f'SET LOCAL search_path TO "{schema}"'))
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())
