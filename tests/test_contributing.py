"""Contributing by pull request: the scaffold (`fastapi-practices new`, `show`, `test`), the
walk-through a contributor follows, and the pre-commit hooks. (The GitHub side is in
tests/test_github.py.)

Everything runs on copies (a one-practice catalogue, or the whole checkout), never on the
checkout itself, with the commands a contributor types.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_practices.catalogue import load_catalogue
from fastapi_practices.scaffold import slugify
from fastapi_practices.testing.project import ROOT, catalogue, command_env, copy_practice
from fastapi_practices.testing.project import run_command as run

BIN = Path(sys.executable).parent
NEW = [str(BIN / "fastapi-practices"), "new"]
COMMAND = [str(BIN / "fastapi-practices")]


def checkout_copy(into: Path) -> Path:
    """The checkout's files as a clone would have them (tracked and new, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


# ------------------------------------------------------------------ fastapi-practices new


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A one-practice catalogue (FBP201) that builds, with its published addresses."""
    copy_practice("FBP201", tmp_path, site=True)
    (tmp_path / "tests/published_urls.txt").write_text(
        "/\n/catalogue/\n/practices/async/dont-block-the-event-loop/\n/p/FBP201/\n"
    )
    assert load_catalogue(tmp_path).errors == []
    return tmp_path


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_slug_is_made_from_the_title() -> None:
    assert slugify("Don't block the event loop in async routes") == (
        "dont-block-the-event-loop-in-async-routes"
    )
    assert slugify("Use `Annotated` for Depends(), not defaults!") == (
        "use-annotated-for-depends-not-defaults"
    )


def test_new_practice_validates_and_builds(project: Path) -> None:
    made = run(*NEW, "--category", "async", "--title", "Cancel work the client gave up on",
               cwd=project)  # fmt: skip
    assert made.returncode == 0, made.stderr
    slug = "cancel-work-the-client-gave-up-on"
    assert made.stdout.splitlines()[:6] == [
        "FBP202 (Async and concurrency) written:",
        f"  docs/practices/async/{slug}.md",
        f"  snippets/async/{slug}/bad.py",
        f"  snippets/async/{slug}/good.py",
        f"  tests/practices/test_{slug.replace('-', '_')}.py",
        "  tests/published_urls.txt",
    ]
    published = (project / "tests/published_urls.txt").read_text().splitlines()
    assert published[-2:] == [f"/practices/async/{slug}/", "/p/FBP202/"]
    validated = run(*COMMAND, "validate", cwd=project)
    assert validated.returncode == 0, validated.stdout
    built = run(sys.executable, "-m", "mkdocs", "build", "--strict", cwd=project)
    assert built.returncode == 0, built.stderr
    assert "FBP202" in (project / "site/catalogue/index.html").read_text()
    assert (project / f"site/practices/async/{slug}/index.html").is_file()


def test_new_never_reuses_an_id_that_was_published(project: Path) -> None:
    """FBP202 was published once (its practice since removed): the next one is FBP203."""
    listing = project / "tests/published_urls.txt"
    listing.write_text(listing.read_text() + "/p/FBP202/\n")
    made = run(*NEW, "--category", "async", "--title", "Cancel work the client gave up on",
               cwd=project)  # fmt: skip
    assert made.stdout.startswith("FBP203 "), made.stdout + made.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--category", "async", "--title", "Don't block the event loop"],
            "fastapi-practices new: slug 'dont-block-the-event-loop' is taken "
            "(docs/practices/async/dont-block-the-event-loop.md, "
            "snippets/async/dont-block-the-event-loop, "
            "tests/practices/test_dont_block_the_event_loop.py); choose another title or give "
            "--slug; nothing was written",
        ),
        (
            ["--category", "async", "--title", "Be fast"],
            "fastapi-practices new: title: String should have at least 10 characters "
            "(got 'Be fast'); nothing was written",
        ),
        (
            ["--category", "async", "--title", "Keep it simple, always", "--slug", "Keep It"],
            "fastapi-practices new: slug 'Keep It' must be lower-case words joined by '-'",
        ),
        (["--category", "async"], "fastapi-practices new: give --title (categories: "),
        (["--title", "Keep it simple, always"], "fastapi-practices new: give --category"),
        (["--category", "speed", "--title", "Keep it simple"], "invalid choice: 'speed'"),
    ],
    ids=["slug-taken", "title-too-short", "bad-slug", "no-title", "no-category", "category"],
)
def test_new_refuses_what_cannot_be_a_practice_and_writes_nothing(
    project: Path, args: list[str], message: str
) -> None:
    before = files_of(project)
    result = run(*NEW, *args, cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert files_of(project) == before


def test_show_names_a_practices_files(project: Path) -> None:
    shown = run(*COMMAND, "show", "fbp201", cwd=project)
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[4:7] == [
        "page:      docs/practices/async/dont-block-the-event-loop.md",
        "snippets:  snippets/async/dont-block-the-event-loop/",
        "test:      tests/practices/test_dont_block_the_event_loop.py",
    ]
    field = run(*COMMAND, "show", "FBP201", "--field", "slug", cwd=project)
    assert field.stdout == "dont-block-the-event-loop\n"
    missing = run(*COMMAND, "show", "FBP299", cwd=project)
    assert missing.returncode == 1 and "no practice FBP299" in missing.stderr


def test_one_practices_tests_wait_for_a_clean_catalogue(project: Path) -> None:
    (project / "tests/published_urls.txt").write_text("/\n")
    refused = run(*COMMAND, "test", "FBP201", cwd=project)
    assert refused.returncode == 1
    assert "FBP201's address /practices/async/dont-block-the-event-loop/ is not in" in (
        refused.stdout
    )
    assert "fix them first" in refused.stderr


# ------------------------------------------------------------------ the walk-through

TITLE = "Answer 404 for a missing item, not 200 with null"
SUMMARY = "Raise `HTTPException(404)` when a looked-up item does not exist; never return `None`."

BAD = '''"""Looks an item up and answers `null` with 200 when there is none."""

from fastapi import FastAPI

app = FastAPI()
ITEMS = {1: "hammer"}


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> str | None:
    return ITEMS.get(item_id)
'''

GOOD = '''"""Looks an item up and answers 404 when there is none."""

from fastapi import FastAPI, HTTPException

app = FastAPI()
ITEMS = {1: "hammer"}


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> str:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail="Item not found")
    return ITEMS[item_id]
'''

TEST = '''"""{id}: a missing item answers 404 in good.py, and 200 with null in bad.py."""

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path

PRACTICE = "api-design/{slug}"


@pytest.mark.parametrize(("name", "status", "body"), [("bad", 200, None), ("good", 404, None)])
def test_missing_item(name: str, status: int, body: object) -> None:
    with live_server(snippet_path(PRACTICE, name)) as server:
        found = httpx.get(f"{{server.url}}/items/1", timeout=5)
        missing = httpx.get(f"{{server.url}}/items/2", timeout=5)
    assert (found.status_code, found.json()) == (200, "hammer")
    assert missing.status_code == status
    if name == "bad":
        assert missing.json() is body
    else:
        assert missing.json() == {{"detail": "Item not found"}}
'''

PAGE_BODY = """
## Why {#why}

A client that asks for an item that does not exist and gets a success with an empty body
cannot tell "missing" from "empty", and caches, retries and monitoring all count it as a
success.

## Bad and good {#bad-and-good}

=== "Bad: `null` with 200"

    ```python title="bad.py"
    --8<-- "snippets/api-design/SLUG/bad.py"
    ```

=== "Good: 404"

    ```python title="good.py"
    --8<-- "snippets/api-design/SLUG/good.py"
    ```

## Proof {#proof}

The test serves both apps and asks for an item that exists and one that does not: the bad
app answers the missing one with 200 and `null`, the good one with 404.

## When not to apply {#when-not-to-apply}

A search or a list endpoint answers an empty result with 200: nothing is missing there.
"""


def test_walkthrough_scaffold_fill_validate_build(tmp_path: Path) -> None:
    """What a first-time contributor does, start to finish, on a copy of the checkout."""
    repo = checkout_copy(tmp_path / "repo")
    made = run(*NEW, "--category", "api-design", "--title", TITLE, cwd=repo)
    assert made.returncode == 0, made.stderr
    new_id = made.stdout.split()[0]
    assert re.fullmatch(r"FBP5\d\d", new_id) and new_id not in catalogue().by_id()
    slug = slugify(TITLE)

    # The scaffold is valid, and its behaviour test says what to write.
    assert run(*COMMAND, "validate", cwd=repo).returncode == 0
    first = run(*COMMAND, "test", new_id, cwd=repo)
    assert first.returncode == 1
    assert f"{new_id} is still the scaffold of `fastapi-practices new`" in first.stdout

    # The contributor writes the pair, the test and the page.
    (repo / f"snippets/api-design/{slug}/bad.py").write_text(BAD)
    (repo / f"snippets/api-design/{slug}/good.py").write_text(GOOD)
    test_file = repo / f"tests/practices/test_{slug.replace('-', '_')}.py"
    test_file.write_text(TEST.format(id=new_id, slug=slug))
    page = repo / f"docs/practices/api-design/{slug}.md"
    front, _, _ = page.read_text().partition("\n---\n")
    front = re.sub(r"^summary: .*$", f"summary: {json.dumps(SUMMARY)}", front, flags=re.M)
    page.write_text(front + "\n---\n" + PAGE_BODY.replace("SLUG", slug))

    validated = run(*COMMAND, "validate", cwd=repo)
    assert validated.returncode == 0, validated.stdout
    second = run(*COMMAND, "test", new_id, cwd=repo)
    assert second.returncode == 0, second.stdout[-3000:]
    assert re.search(r"\b4 passed\b", second.stdout), second.stdout[-1000:]

    built = run(sys.executable, "-m", "mkdocs", "build", "--strict", cwd=repo,
                SITE_URL="https://example.org/p/")  # fmt: skip
    assert built.returncode == 0, built.stderr
    site = repo / "site"
    assert f"/practices/api-design/{slug}/" in (site / "catalogue/index.html").read_text()
    records = {r["id"]: r for r in json.loads((site / "practices.json").read_text())["practices"]}
    assert records[new_id]["title"] == TITLE
    assert records[new_id]["short_url"] == f"https://example.org/p/p/{new_id}/"
    published = (repo / "tests/published_urls.txt").read_text().split()
    assert f"/practices/api-design/{slug}/" in published and f"/p/{new_id}/" in published
    assert (site / "p" / new_id / "index.html").is_file()


# ------------------------------------------------------------------ pre-commit


def test_pre_commit_hooks_run_offline_and_stop_a_misspelling(tmp_path: Path) -> None:
    repo = checkout_copy(tmp_path / "repo")
    (repo / ".venv").symlink_to(BIN.parent)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    assert run("git", "init", "-q", cwd=repo).returncode == 0
    assert run("git", "add", "-A", cwd=repo).returncode == 0
    hooks = run(str(BIN / "pre-commit"), "run", "--all-files", cwd=repo, **env)
    assert hooks.returncode == 0, hooks.stdout
    for name in ("ruff check", "ruff format", "typos (spelling)", "fastapi-practices validate"):
        assert re.search(rf"^{re.escape(name)}\.+Passed$", hooks.stdout, re.M), hooks.stdout
    why = repo / "docs/practices/async/dont-block-the-event-loop.md"
    misspelt = "rec" + "ieve"  # whole, the word would stop this file at the same hook
    why.write_text(why.read_text().replace("are not parsed", f"are not {misspelt}d", 1))
    typo = run(str(BIN / "pre-commit"), "run", "--files", str(why), cwd=repo, **env)
    assert typo.returncode == 1
    assert re.search(r"^typos \(spelling\)\.+Failed$", typo.stdout, re.M)
    assert f"`{misspelt}d` should be `received`" in typo.stdout


def test_new_asks_for_category_and_title_in_a_terminal(project: Path) -> None:
    """Run in a terminal without options, `new` lists the categories and asks."""
    main, child = pty.openpty()
    with subprocess.Popen(
        NEW, cwd=project, stdin=child, stdout=child, stderr=child, env=command_env(), text=True
    ) as process:
        os.close(child)
        os.write(main, b"2\nCancel work the client gave up on\n")
        output = b""
        with contextlib.suppress(OSError):  # EIO once the child has exited
            while chunk := os.read(main, 4096):
                output += chunk
        assert process.wait(timeout=60) == 0
    os.close(main)
    text = output.decode()
    assert "  2. async              Async and concurrency" in text
    assert "Title, the rule as an imperative" in text
    assert "FBP202 (Async and concurrency) written:" in text
