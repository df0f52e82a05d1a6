"""FBP602: a migration's structure must not depend on the data, and its downgrade must undo it.

Both Alembic environments of the snippet run in-process against real PostgreSQL databases:
the good chain builds the same schema on databases holding different rows, renders to SQL
without a database, and survives upgrade -> downgrade -> upgrade with its data; the bad chain
gives each database its own schema, cannot render offline, and its no-op downgrade leaves a
table behind that breaks the next upgrade.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.exc import ProgrammingError

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path
from fastapi_practices.testing.postgres import Database, fresh_database
from fastapi_practices.testing.project import SNIPPETS

PRACTICE = "database/keep-migrations-static-and-revertable"
KINDS = ("bad", "good")


def alembic_config(kind: str, output: io.StringIO | None = None) -> Config:
    ini = SNIPPETS / PRACTICE / f"{kind}_migrations" / "alembic.ini"
    return Config(str(ini), output_buffer=output)


@contextmanager
def database_url(db: Database) -> Iterator[None]:
    """env.py reads DATABASE_URL, as the app does; point it at `db` for one command."""
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = db.async_url
    try:
        yield
    finally:
        if saved is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = saved


def upgrade(db: Database, kind: str, target: str = "head") -> None:
    with database_url(db):
        command.upgrade(alembic_config(kind), target)


def downgrade(db: Database, kind: str, target: str) -> None:
    with database_url(db):
        command.downgrade(alembic_config(kind), target)


def sql(db: Database, query: str, *args: object) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(**db.connect_kwargs())
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def schema(db: Database) -> dict[str, list[str]]:
    """The application's tables and their columns, as the catalog has them."""
    rows = sql(
        db,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name <> 'alembic_version' "
        "ORDER BY table_name, ordinal_position",
    )
    tables: dict[str, list[str]] = {}
    for row in rows:
        tables.setdefault(row["table_name"], []).append(row["column_name"])
    return tables


def revision(db: Database) -> str | None:
    rows = sql(db, "SELECT version_num FROM alembic_version")
    return rows[0]["version_num"] if rows else None


@pytest.fixture
def two_databases(postgres_server_url) -> Iterator[tuple[Database, Database]]:
    with (
        fresh_database(postgres_server_url, "fbp602_a") as first,
        fresh_database(postgres_server_url, "fbp602_b") as second,
    ):
        yield first, second


@pytest.mark.parametrize("kind", KINDS)
def test_structure_must_not_depend_on_the_rows(kind, two_databases, record) -> None:
    first, second = two_databases
    for db, tenants in ((first, ["acme", "globex"]), (second, ["initech"])):
        upgrade(db, kind, "0001")
        for name in tenants:
            sql(db, "INSERT INTO tenant (name) VALUES ($1)", name)
        upgrade(db, kind, "head")
    assert revision(first) == revision(second) == ("0003" if kind == "bad" else "0002")
    schemas = schema(first), schema(second)
    shown = " vs ".join(", ".join(s) for s in schemas)
    record(
        f"{kind}-schemas",
        f"`{kind}_migrations/`: tables after `upgrade head` on two "
        "databases with different tenants",
        shown,
        shown,
    )

    # A tenant that signs up after the deploy, asked for through the live app.
    sql(first, "INSERT INTO tenant (name) VALUES ('umbrella')")
    app = load_snippet(snippet_path(PRACTICE, kind)).app
    # Its settings read DATABASE_URL when it starts.
    with (
        database_url(first),
        live_app(app) as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        existing = client.get("/tenants/acme/posts")
        newcomer = client.get("/tenants/umbrella/posts")
    assert existing.status_code == 200 and existing.json() == []
    record(
        f"{kind}-newcomer",
        f"`{kind}.py`: `GET /tenants/umbrella/posts` for a tenant added after the migration",
        newcomer.status_code,
        f"{newcomer.status_code} `{newcomer.text}`",
    )

    if kind == "bad":
        # Same revision, different schemas: which tables exist depends on the data.
        assert schemas[0] != schemas[1]
        assert set(schemas[0]) == {"tenant", "post_acme", "post_globex", "tag"}
        assert set(schemas[1]) == {"tenant", "post_initech", "tag"}
        assert newcomer.status_code == 500
    else:
        assert (
            schemas[0]
            == schemas[1]
            == {"tenant": ["id", "name"], "post": ["id", "tenant_id", "title", "slug"]}
        )
        assert newcomer.status_code == 200 and newcomer.json() == []


@pytest.mark.parametrize("kind", KINDS)
def test_static_migrations_render_as_sql_without_a_database(kind, database, record) -> None:
    output = io.StringIO()
    with database_url(database):
        if kind == "bad":
            # Offline, op.get_bind() cannot return rows: the structure is unknown until it runs.
            no_rows = "'NoneType' object has no attribute 'scalars'"
            with pytest.raises(AttributeError, match=no_rows) as error:
                command.upgrade(alembic_config(kind, output), "head", sql=True)
            value = error.type.__name__
            shown = f"fails: `{value}` (the migration must read rows first)"
        else:
            command.upgrade(alembic_config(kind, output), "head", sql=True)
            script = output.getvalue()
            assert "CREATE TABLE post" in script and "UPDATE post SET slug" in script
            # Every revision of the chain, oldest first, is in the script.
            rendered = re.findall(r"^-- Running upgrade \S* -> (\S+)$", script, re.M)
            chain = ScriptDirectory.from_config(alembic_config(kind)).walk_revisions()
            assert rendered == [s.revision for s in reversed(list(chain))]
            value = rendered
            shown = f"prints the full SQL script, revisions {' and '.join(rendered)}"
    record(f"{kind}-offline", f"`{kind}_migrations/`: `alembic upgrade head --sql`", value, shown)


def test_good_chain_round_trips_and_keeps_its_data(database, record) -> None:
    upgrade(database, "good", "0001")
    tenant_id = sql(database, "INSERT INTO tenant (name) VALUES ('acme') RETURNING id")[0]["id"]
    titles = ["Hello, World!", "Release notes 2.0", "  Spaces & symbols  "]
    for title in titles:
        sql(database, "INSERT INTO post (tenant_id, title) VALUES ($1, $2)", tenant_id, title)
    slugs = ["hello-world", "release-notes-2-0", "spaces-symbols"]

    def posts() -> list[tuple[str, ...]]:
        return [tuple(r) for r in sql(database, "SELECT * FROM post ORDER BY id")]

    upgrade(database, "good")  # 0002 adds the column and backfills it from the rows
    at_head = schema(database)
    assert [p[2:] for p in posts()] == list(zip(titles, slugs, strict=True))
    downgrade(database, "good", "0001")  # one step back: the column goes, the posts stay
    assert schema(database)["post"] == ["id", "tenant_id", "title"]
    assert [p[2] for p in posts()] == titles
    upgrade(database, "good")  # and forward again: the same slugs
    assert [p[2:] for p in posts()] == list(zip(titles, slugs, strict=True))

    downgrade(database, "good", "base")
    left = schema(database)
    assert left == {} and revision(database) is None
    upgrade(database, "good")
    assert schema(database) == at_head and revision(database) == "0002"
    record(
        "good-round-trip",
        "`good_migrations/`: `upgrade head`, `downgrade base`, `upgrade head`",
        sorted(left),
        f"all succeed; `downgrade base` leaves {', '.join(left) or 'no table'}",
    )


def test_downgrade_that_does_nothing_breaks_the_next_upgrade(postgres_server_url, record) -> None:
    with fresh_database(postgres_server_url, "fbp602_roundtrip") as db:
        upgrade(db, "bad")
        downgrade(db, "bad", "base")
        # Alembic records "no revision", yet 0003's table is still there...
        assert revision(db) is None
        left = schema(db)
        assert left == {"tag": ["id", "name"]}
        # ...so the next upgrade, which believes it starts from nothing, collides with it.
        with pytest.raises(ProgrammingError, match='relation "tag" already exists') as exc:
            upgrade(db, "bad")
        cause = exc.value.orig.__cause__
        assert isinstance(cause, asyncpg.DuplicateTableError)
    record(
        "bad-round-trip",
        "`bad_migrations/`: `upgrade head`, `downgrade base`, `upgrade head`",
        type(cause).__name__,
        f"`downgrade base` leaves {', '.join(f'`{t}`' for t in left)} behind; "
        f"the next upgrade fails: `{cause}`",
    )
