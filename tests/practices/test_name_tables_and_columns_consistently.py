"""FBP604: the naming rules can be checked on the model's metadata, and PostgreSQL shows why
lower_snake_case matters: a mixed-case name must be double-quoted in every query, forever.

The rule checker is the snippet's naming_rules.py, which a project can copy into its tests.
The catalog checks run on a real PostgreSQL (the `database` fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import httpx
import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, text
from sqlalchemy.exc import ProgrammingError

from fastapi_practices.testing.live import live_app, load_snippet, snippet_path
from fastapi_practices.testing.postgres import in_schema

PRACTICE = "database/name-tables-and-columns-consistently"

# One row per table for the route to find, written the way each schema forces you to.
SEED_SQL = {
    "bad": [
        """INSERT INTO "Authors" ("displayName") VALUES ('Ada')""",
        """INSERT INTO posts (author, title) VALUES (1, 'Hello')""",
        """INSERT INTO likes ("postId", "authorId") VALUES (1, 1)""",
    ],
    "good": [
        "INSERT INTO author (display_name) VALUES ('Ada')",
        "INSERT INTO post (author_id, title) VALUES (1, 'Hello')",
        "INSERT INTO post_like (post_id, author_id) VALUES (1, 1)",
    ],
}


def snippet(name: str) -> ModuleType:
    return load_snippet(snippet_path(PRACTICE, name))


def shown(outcome: str) -> str:
    return f"runs, count = {outcome}" if outcome.isdigit() else f"error: {outcome}"


def try_sql(conn: Connection, sql: str) -> str:
    """Run one statement inside a savepoint; its first value, or PostgreSQL's error message."""
    try:
        with conn.begin_nested():
            return str(conn.execute(text(sql)).scalar())
    except ProgrammingError as exc:
        return str(exc.orig).splitlines()[0].split(": ", 1)[-1]


# ------------------------------------------------------------------ the rules, on the model


@pytest.fixture(scope="module")
def naming_problems() -> Callable[[MetaData], list[str]]:
    return snippet("naming_rules").naming_problems


def test_rules_name_every_offending_table_and_column(naming_problems, record) -> None:
    problems = naming_problems(snippet("bad").Base.metadata)
    record(
        "bad-problems",
        "`bad.py`: problems the rule check reports",
        len(problems),
        f"{len(problems)}, e.g. `{problems[5]}`",
    )
    # Every offence in bad.py's models, once each, and nothing else.
    assert sorted(problems) == sorted(
        [
            "Authors: table names are lower_snake_case",
            "Authors: table names are singular",
            "Authors.displayName: column names are lower_snake_case",
            "posts: table names are singular",
            "posts.author: foreign key columns end in _id",
            "posts.createdAt: column names are lower_snake_case",
            "posts.createdAt: datetime columns end in _at",
            "posts.updated: datetime columns end in _at",
            "posts.publish_day: date columns end in _date",
            "likes: table names are singular",
            "likes.postId: column names are lower_snake_case",
            "likes.postId: foreign key columns end in _id",
            "likes.authorId: column names are lower_snake_case",
            "likes.authorId: foreign key columns end in _id",
        ]
    )


def test_rules_pass_on_consistent_names(naming_problems, record) -> None:
    problems = naming_problems(snippet("good").Base.metadata)
    record(
        "good-problems",
        "`good.py`: problems the rule check reports",
        len(problems),
        str(len(problems)),
    )
    assert problems == []


# ------------------------------------------------------------- what PostgreSQL makes of it


@pytest.fixture(scope="module")
def stored_names(database) -> dict[str, list[str]]:
    """Create both snippets' tables on the live server; table.column as the catalog has it."""

    def create(module: ModuleType) -> Callable[[Connection], list[str]]:
        def work(conn: Connection) -> list[str]:
            module.Base.metadata.create_all(conn)
            rows = conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
                )
            )
            return [f"{table}.{column}" for table, column in rows]

        return work

    return {
        name: in_schema(database, f"stored_{name}", create(snippet(name)))
        for name in ("bad", "good")
    }


def test_postgres_keeps_mixed_case_names_only_when_quoted(stored_names, database, record) -> None:
    mixed = [name for name in stored_names["bad"] if name != name.lower()]
    record(
        "stored",
        "`bad.py`: names stored with capitals (`information_schema.columns`)",
        mixed,
        ", ".join(f"`{n}`" for n in mixed),
    )
    assert "posts.createdAt" in mixed
    assert "Authors.displayName" in mixed

    def queries(conn: Connection) -> dict[str, str]:
        return {
            sql: try_sql(conn, sql)
            for sql in (
                "SELECT count(createdAt) FROM posts",
                'SELECT count("createdAt") FROM posts',
                "SELECT count(*) FROM Authors",
                'SELECT count(*) FROM "Authors"',
            )
        }

    results = in_schema(database, "stored_bad", queries, fresh=False)
    for sql, outcome in results.items():
        record(sql, f"`bad.py` tables: `{sql}`", outcome, shown(outcome))
    # Unquoted identifiers are folded to lower case, so the stored names are not found.
    assert results["SELECT count(createdAt) FROM posts"].startswith(
        'column "createdat" does not exist'
    )
    assert results["SELECT count(*) FROM Authors"] == 'relation "authors" does not exist'
    assert results['SELECT count("createdAt") FROM posts'] == "0"
    assert results['SELECT count(*) FROM "Authors"'] == "0"


def test_snake_case_names_need_no_quotes(stored_names, database, record) -> None:
    assert "post.created_at" in stored_names["good"]
    sql = "SELECT count(created_at) FROM post"
    outcome = in_schema(database, "stored_good", lambda conn: try_sql(conn, sql), fresh=False)
    record(sql, f"`good.py` tables: `{sql}`", outcome, shown(outcome))
    assert outcome == "0"


def test_singular_user_collides_with_a_keyword(database, record) -> None:
    """`user` is reserved in PostgreSQL: unquoted, it means the session's user, not a table."""

    def work(conn: Connection) -> dict[str, str]:
        metadata = MetaData()
        Table("user", metadata, Column("id", Integer, primary_key=True))
        metadata.create_all(conn)  # SQLAlchemy quotes it: CREATE TABLE "user"
        conn.execute(text('INSERT INTO "user" (id) VALUES (42)'))
        return {
            sql: try_sql(conn, sql)
            for sql in ("SELECT * FROM user", 'SELECT * FROM "user"', "SELECT current_user")
        }

    results = in_schema(database, "keyword", work)
    outcome, row, role = results.values()
    assert row == "42"
    assert outcome == role != row
    record(
        "user",
        "A table named `user`: `SELECT * FROM user` returns",
        outcome,
        f"`{outcome}` (`current_user`; the table's row is `{row}`)",
    )


# ----------------------------------------------------------------------- the apps still work


@pytest.mark.parametrize("name", ["bad", "good"])
def test_snippet_app_serves_from_its_tables(database, monkeypatch, name) -> None:
    """Through the ORM both apps work: the names only hurt where SQL is written by hand."""
    monkeypatch.setenv("DATABASE_URL", database.async_url)
    module = snippet(name)

    def seed(conn: Connection) -> None:
        module.Base.metadata.create_all(conn)
        for sql in SEED_SQL[name]:
            conn.execute(text(sql))

    in_schema(database, "public", seed)
    with live_app(module.app) as url:
        response = httpx.get(f"{url}/posts/1")
    assert response.status_code == 200
    assert response.json()["title"] == "Hello"
    assert response.json()["likes"] == "1"
