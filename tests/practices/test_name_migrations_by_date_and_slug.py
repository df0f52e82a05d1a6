"""FBP603: Alembic's default file names start with a random revision ID, so `ls versions/`
is not the history; a date-first file_template is. The guide's exact template (date and
slug only) overwrites a migration created the same day with the same message.

Each test runs real `alembic revision` commands (alembic.command, as the CLI does) on a copy
of the snippet's environments, and upgrades the live PostgreSQL with them.
"""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from fastapi_practices.testing.live import copy_snippets
from fastapi_practices.testing.postgres import fresh_database
from fastapi_practices.testing.project import SNIPPETS

PRACTICE = SNIPPETS / "database" / "name-migrations-by-date-and-slug"
GUIDE_TEMPLATE = "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s"
HEX12 = "[0-9a-f]{12}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the snippet folder: the generated files never touch the repository."""
    # Alembic imports each migration file. Two written within one second can have the same
    # size and modification time, which is all a cached .pyc is checked against: the second
    # would be read as the first. Write no .pyc here, whatever PYTHONDONTWRITEBYTECODE says.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    return copy_snippets(PRACTICE, tmp_path / "project")


def config(project: Path, env: str) -> Config:
    return Config(str(project / env / "alembic.ini"))


def new_revision(cfg: Config, message: str, rev_id: str | None = None) -> Path:
    script = command.revision(cfg, message, rev_id=rev_id)
    assert script is not None
    return Path(script.path)


def today_utc() -> str:
    return datetime.now(UTC).date().isoformat()


def ls_order(cfg: Config) -> list[str]:
    """Slugs of the migration files in the order `ls versions/` shows them."""
    folder = Path(ScriptDirectory.from_config(cfg).versions)
    return [slug_of(p.name) for p in sorted(folder.glob("*.py"))]


def history_order(cfg: Config) -> list[str]:
    """Slugs of the migrations in the order Alembic applies them."""
    scripts = list(ScriptDirectory.from_config(cfg).walk_revisions())
    return [slug_of(Path(s.path).name) for s in reversed(scripts)]


def slug_of(filename: str) -> str:
    return re.sub(rf"^(\d{{4}}-\d\d-\d\d_\d{{4}}_)?{HEX12}_", "", filename).removesuffix(".py")


def show(slugs: list[str]) -> str:
    return ", ".join(f"`{s}`" for s in slugs)


def upgrade_head(cfg: Config, database, monkeypatch: pytest.MonkeyPatch) -> str:
    """`alembic upgrade head` on the live database (its env.py reads DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", database.async_url)
    command.upgrade(cfg, "head")
    return current_revision(database)


def current_revision(database) -> str:
    async def read() -> str:
        conn = await asyncpg.connect(**database.connect_kwargs())
        try:
            return await conn.fetchval("SELECT version_num FROM alembic_version")
        finally:
            await conn.close()

    return asyncio.run(read())


def test_default_template_names_files_by_random_id(
    project, postgres_server_url, monkeypatch, record
) -> None:
    cfg = config(project, "bad_migrations")
    path = new_revision(cfg, "post content idx")
    record(
        "bad-name",
        '`bad_migrations`: `alembic revision -m "post content idx"` writes',
        path.name,
        f"`{path.name}`",
    )
    assert re.fullmatch(rf"{HEX12}_post_content_idx\.py", path.name)
    listing, history = ls_order(cfg), history_order(cfg)
    record(
        "bad-ls",
        "`bad_migrations`: `ls versions/`, oldest migration first?",
        listing,
        f"{show(listing)} (applied as {show(history)})",
    )
    # 0b7d... (the second migration) sorts before 5c1e... (the first): the listing lies.
    assert listing != history
    assert listing.index("add_post_published_at") < listing.index("create_post")
    # Only the names mislead: the chain itself upgrades a live database to the new head.
    with fresh_database(postgres_server_url, "fbp603_default") as database:
        assert upgrade_head(cfg, database, monkeypatch) == path.name.split("_", 1)[0]


def test_date_first_template_sorts_files_by_history(project, database, monkeypatch, record) -> None:
    cfg = config(project, "good_migrations")
    before = today_utc()  # and after: the test may run across midnight UTC
    path = new_revision(cfg, "post content idx")
    dates = {before, today_utc()}
    record(
        "good-name",
        '`good_migrations`: `alembic revision -m "post content idx"` writes',
        path.name,
        f"`{path.name}`",
    )
    match = re.fullmatch(rf"(\d{{4}}-\d\d-\d\d)_\d{{4}}_{HEX12}_post_content_idx\.py", path.name)
    assert match and match.group(1) in dates
    listing, history = ls_order(cfg), history_order(cfg)
    record(
        "good-ls",
        "`good_migrations`: `ls versions/`, oldest migration first?",
        listing,
        show(listing),
    )
    assert listing == history == ["create_post", "add_post_published_at", "post_content_idx"]
    # The environment is real: the chain upgrades the live database to the new head.
    assert (
        upgrade_head(cfg, database, monkeypatch)
        == ScriptDirectory.from_config(cfg).get_current_head()
    )


def test_guide_template_overwrites_a_same_day_migration(
    project, database, monkeypatch, record
) -> None:
    cfg = config(project, "good_migrations")
    cfg.set_main_option("file_template", GUIDE_TEMPLATE)
    migrations = len(list(ScriptDirectory.from_config(cfg).walk_revisions()))
    made = [new_revision(cfg, "post content idx") for _ in range(2)]
    migrations += len(made)
    first, second = made
    assert first == second  # the same file name: the first migration is gone
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_post_content_idx\.py", first.name)
    files = sorted(p.name for p in first.parent.glob("*.py"))
    assert len(files) == migrations - 1
    # The survivor's down_revision is the overwritten one: no command can load the history.
    with pytest.warns(UserWarning, match="is not present"), pytest.raises(KeyError) as error:
        upgrade_head(cfg, database, monkeypatch)
    lost = str(error.value)
    others = {
        "downgrade": lambda: command.downgrade(cfg, "base"),
        "history": lambda: command.history(cfg),
        "heads": lambda: command.heads(cfg),
        "revision": lambda: command.revision(cfg, "next step"),
    }
    for run in others.values():
        with pytest.warns(UserWarning, match="is not present"), pytest.raises(KeyError) as other:
            run()
        assert str(other.value) == lost
    record(
        "guide-twice",
        "The guide's `date_slug` template, the same message twice in a day",
        files,
        f"{len(files)} files for {migrations} migrations; `alembic upgrade head`: KeyError {lost}",
    )


def test_same_minute_migrations_list_by_revision_id(project) -> None:
    """Within one minute the date-first name ties, and the random revision ID decides."""
    cfg = config(project, "good_migrations")
    for _ in range(3):  # retry if the two revisions straddle a minute
        older = new_revision(cfg, "post title idx", rev_id="f" * 12)
        newer = new_revision(cfg, "post slug idx", rev_id="0" * 12)
        if older.name[:15] == newer.name[:15]:
            break
        older.unlink()
        newer.unlink()
    else:
        pytest.fail("could not make two revisions in one minute")
    assert history_order(cfg)[-2:] == ["post_title_idx", "post_slug_idx"]
    assert ls_order(cfg)[-2:] == ["post_slug_idx", "post_title_idx"]


def test_renaming_files_keeps_the_history(project) -> None:
    """Alembic reads the order from down_revision: renaming the files changes only `ls`."""
    cfg = config(project, "bad_migrations")
    script = ScriptDirectory.from_config(cfg)
    before, heads = history_order(cfg), script.get_heads()
    dated = {
        p.name.split("_")[2]: p.name
        for p in (project / "good_migrations" / "versions").glob("*.py")
    }
    versions = Path(script.versions)
    for path in versions.glob("*.py"):
        path.rename(versions / dated[path.name.split("_")[0]])
    assert ScriptDirectory.from_config(cfg).get_heads() == heads
    assert history_order(cfg) == ls_order(cfg) == before


def test_date_first_template_keeps_both_same_day_migrations(project) -> None:
    cfg = config(project, "good_migrations")
    first = new_revision(cfg, "post content idx")
    second = new_revision(cfg, "post content idx")
    assert first != second and first.exists() and second.exists()
    script = ScriptDirectory.from_config(cfg)
    assert script.get_revision(script.get_current_head()).down_revision == (
        script.get_revision(first.name.split("_")[2]).revision
    )


def test_long_message_slug_is_truncated(project, record) -> None:
    cfg = config(project, "good_migrations")
    message = "Add an index on post.content for the full-text search page"
    path = new_revision(cfg, message)
    record("long", f'`alembic revision -m "{message}"`', path.name, f"`{path.name}`")
    # truncate_slug_length defaults to 40; Alembic cuts at the last word that fits.
    assert path.name.endswith("_add_an_index_on_post_content_for_the_.py")


def test_pyproject_config_needs_the_same_double_percent(project, record) -> None:
    path = new_revision(Config(toml_file=str(project / "pyproject.toml")), "post content idx")
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d_\d{{4}}_{HEX12}_post_content_idx\.py", path.name)
    single = project / "single.toml"
    single.write_text((project / "pyproject.toml").read_text().replace("%%", "%"))
    with pytest.raises(KeyError, match="year"):
        new_revision(Config(toml_file=str(single)), "post content idx")
    record(
        "toml",
        "`[tool.alembic]` in pyproject.toml: `%%(year)d` / `%(year)d`",
        path.name,
        f"`{path.name}` / KeyError: 'year'",
    )
