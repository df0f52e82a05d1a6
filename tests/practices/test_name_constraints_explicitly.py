"""FBP601: without a naming convention the model does not know the names PostgreSQL gives its
constraints, so a migration that has to drop one by name cannot be generated; with one, the
model's names and the database's are the same.

Everything runs on a real PostgreSQL (the `database` fixture): each test creates the
snippet's tables in a schema of its own and reads the names back from the catalog.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx
import pytest
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import CheckConstraint, Connection, MetaData, create_engine, inspect, text
from sqlalchemy.exc import CompileError, InvalidRequestError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path
from fastapi_practices.testing.postgres import in_schema

PRACTICE = "database/name-constraints-explicitly"

# Every constraint and every index of a table, as PostgreSQL's catalog names them. Since
# PostgreSQL 18 the catalog also lists NOT NULL constraints (contype 'n', named
# <table>_<column>_not_null by the server); SQLAlchemy's naming convention has no token for
# them and migrations never drop them by name, so they are left out here.
CATALOG_NAMES = text("""
    SELECT conname AS name FROM pg_constraint
     WHERE conrelid = to_regclass(:table) AND contype <> 'n'
    UNION
    SELECT indexname FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = :table
    ORDER BY name
""")


def snippet(name: str) -> ModuleType:
    return load_snippet(snippet_path(PRACTICE, name))


def names_in_model(module: ModuleType) -> list[str | None]:
    table = module.Post.__table__
    names = [c.name for c in table.constraints] + [i.name for i in table.indexes]
    return sorted(names, key=str)


def names_in_database(conn: Connection) -> list[str]:
    return list(conn.execute(CATALOG_NAMES, {"table": "post"}).scalars())


def show(names: list[str | None]) -> str:
    return ", ".join(f"`{n}`" if n else "*none*" for n in names)


@pytest.mark.parametrize("name", ["bad", "good"])
def test_model_and_database_name_the_same_constraints(database, record, name) -> None:
    module = snippet(name)

    def create(conn: Connection) -> list[str]:
        module.Base.metadata.create_all(conn)
        return names_in_database(conn)

    in_database = in_schema(database, f"names_{name}", create)
    in_model = names_in_model(module)
    record(
        f"{name}-model",
        f"`{name}.py`: names of `post`'s constraints and indexes in the model",
        [str(n) for n in in_model],
        show(in_model),
    )
    record(
        f"{name}-database",
        f"`{name}.py`: the same, as PostgreSQL's catalog lists them",
        in_database,
        show(in_database),
    )
    # PostgreSQL names every constraint, whether or not the model did.
    assert len(in_database) == len(in_model) == 5
    if name == "good":
        assert in_model == in_database
        # The guide's tokens: column_0_label is <table>_<column>; ck keeps the given name.
        assert "post_published_at_idx" in in_database
        assert "post_title_not_empty_check" in in_database
    else:
        # Only the index has a name in the model (SQLAlchemy's ix_ default); the four
        # constraints have none, and PostgreSQL picked its own.
        assert in_model.count(None) == 4
        assert "ix_post_published_at" in in_database
        assert {"post_pkey", "post_slug_key", "post_author_id_fkey", "post_title_check"} <= set(
            in_database
        )


def autogenerate_added_unique(module: ModuleType, conn: Connection) -> dict[str, Any]:
    """The model gains UNIQUE(slug) that the database lacks: autogenerate, upgrade, downgrade."""
    module.Base.metadata.create_all(conn)
    unique = conn.execute(
        text(
            "SELECT conname FROM pg_constraint"
            " WHERE conrelid = to_regclass('post') AND contype = 'u'"
        )
    ).scalar_one()
    conn.execute(text(f'ALTER TABLE post DROP CONSTRAINT "{unique}"'))

    context = MigrationContext.configure(conn)
    script = produce_migrations(context, module.Base.metadata)
    upgrade = render_python_code(script.upgrade_ops)
    downgrade = render_python_code(script.downgrade_ops)
    namespace = {"op": Operations(context)}
    # Each rendered directive is one line here; strip the function-body indentation.
    exec("\n".join(line.strip() for line in upgrade.splitlines()), namespace)  # noqa: S102
    after_upgrade = names_in_database(conn)
    try:
        exec("\n".join(line.strip() for line in downgrade.splitlines()), namespace)  # noqa: S102
        error = None
    except CompileError as exc:
        error = exc
    return {
        "downgrade": next(
            line.strip() for line in downgrade.splitlines() if line.strip().startswith("op.")
        ),
        "after_upgrade": after_upgrade,
        "after_downgrade": None if error else names_in_database(conn),
        "error": error,
    }


def test_unnamed_constraint_autogenerates_a_downgrade_that_cannot_run(database, record) -> None:
    module = snippet("bad")
    with pytest.warns(UserWarning, match="drop_constraint.. directive for an unnamed constraint"):
        result = in_schema(
            database, "autogen_bad", lambda conn: autogenerate_added_unique(module, conn)
        )
    record(
        "bad-downgrade",
        "`bad.py`: autogenerated downgrade after adding `unique=True`",
        result["downgrade"],
        f"`{result['downgrade']}`: {result['error']}",
    )
    assert result["downgrade"] == "op.drop_constraint(None, 'post', type_='unique')"
    # The upgrade ran, and PostgreSQL named the new constraint; the model never learns it.
    assert "post_slug_key" in result["after_upgrade"]
    assert "has no name" in str(result["error"])


def test_named_constraint_autogenerates_a_downgrade_that_runs(database, record) -> None:
    result = in_schema(
        database, "autogen_good", lambda conn: autogenerate_added_unique(snippet("good"), conn)
    )
    record(
        "good-downgrade",
        "`good.py`: autogenerated downgrade after adding `unique=True`",
        result["downgrade"],
        f"`{result['downgrade']}`: runs",
    )
    assert result["downgrade"] == (
        "op.drop_constraint(op.f('post_slug_key'), 'post', type_='unique')"
    )
    assert result["error"] is None
    assert "post_slug_key" in result["after_upgrade"]
    assert "post_slug_key" not in result["after_downgrade"]


def test_constraint_name_token_requires_a_named_check() -> None:
    """The guide's "ck" template uses %(constraint_name)s: an unnamed CHECK is refused as soon
    as the model is defined (at import), before any DDL is sent."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=snippet("good").POSTGRES_NAMING_CONVENTION)

    with pytest.raises(InvalidRequestError, match="requires that constraint is explicitly named"):

        class Draft(Base):
            __tablename__ = "draft"
            __table_args__ = (CheckConstraint("length(title) > 0"),)

            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]


def test_server_picked_names_depend_on_the_server_and_the_table(database) -> None:
    """The names PostgreSQL makes up follow what the table already has, and SQLite keeps
    none: a hand-written DROP CONSTRAINT has to guess."""
    module = snippet("bad")

    def second_check(conn: Connection) -> list[str]:
        module.Base.metadata.create_all(conn)
        conn.execute(text("ALTER TABLE post ADD CHECK (title <> 'draft')"))
        return list(
            conn.execute(
                text(
                    "SELECT conname FROM pg_constraint"
                    " WHERE conrelid = to_regclass('post') AND contype = 'c' ORDER BY conname"
                )
            ).scalars()
        )

    assert in_schema(database, "second_check", second_check) == [
        "post_title_check",
        "post_title_check1",
    ]

    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            module.Base.metadata.create_all(conn)
            tables = inspect(conn)
            unique = tables.get_unique_constraints("post")
            checks = tables.get_check_constraints("post")
    finally:
        engine.dispose()
    assert [(c["name"], c["column_names"]) for c in unique] == [(None, ["slug"])]
    assert [c["name"] for c in checks] == [None]


def test_postgres_truncates_identifiers_at_63_bytes(database) -> None:
    long_name = "post_" + "very_long_" * 7 + "check"

    def create(conn: Connection) -> str:
        conn.execute(text(f"CREATE TABLE post (id int CONSTRAINT {long_name} CHECK (id > 0))"))
        return conn.execute(
            text("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass('post')")
        ).scalar_one()

    stored = in_schema(database, "long_name", create)
    assert len(long_name.encode()) == 80
    assert len(stored.encode()) == 63 and long_name.startswith(stored)


@pytest.mark.parametrize("name", ["bad", "good"])
def test_snippet_app_reads_its_tables(database, monkeypatch, name) -> None:
    """Both apps work on PostgreSQL: the convention changes names, not behaviour."""
    monkeypatch.setenv("DATABASE_URL", database.async_url)
    module = snippet(name)
    in_schema(database, "public", module.Base.metadata.create_all)
    with live_app(module.app) as url:
        missing = httpx.get(f"{url}/posts/hello")
        in_schema(
            database,
            "public",
            lambda conn: (
                conn.execute(text("INSERT INTO author (email) VALUES ('ada@example.com')")),
                conn.execute(
                    text("INSERT INTO post (author_id, slug, title) VALUES (1, 'hello', 'Hello')")
                ),
            ),
            fresh=False,
        )
        found = httpx.get(f"{url}/posts/hello")
    assert missing.status_code == 404
    assert found.json() == {"slug": "hello", "title": "Hello"}
