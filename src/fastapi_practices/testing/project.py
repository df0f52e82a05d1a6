"""The catalogue checkout the tests run in, found once and read once per process.

`ROOT` and `SNIPPETS` are looked up on first use (from the working directory upwards), so
importing the toolkit outside a checkout costs nothing and fails nowhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

from fastapi_practices.catalogue import Catalogue, find_root, load_catalogue, source_files


@cache
def root() -> Path:
    """The checkout: the nearest folder above the working directory with mkdocs.yml."""
    return find_root()


@cache
def catalogue() -> Catalogue:
    """The checkout's catalogue, read and checked once per process. Do not modify it."""
    return load_catalogue(root())


def __getattr__(name: str) -> Path:
    if name == "ROOT":
        return root()
    if name == "SNIPPETS":
        return root() / "snippets"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def snippet_ruff_config() -> Path:
    """The ruff configuration every snippet is held to: the one FBP702 recommends."""
    return root() / "snippets" / "testing" / "lint-and-format-with-ruff" / "ruff.toml"


SITE_FILES = (
    "mkdocs.yml",
    "docs/index.md",
    "docs/catalogue.md",
    "docs/checker.md",
    "docs/assets/practice.css",
    "docs/assets/favicon.svg",
    "overrides/main.html",
)
"""What `mkdocs build` needs besides the practices, for `copy_practice(..., site=True)`."""


def copy_practice(practice_id: str, into: Path, *, site: bool = False) -> Path:
    """Copy one practice of the checkout (page, snippets, test, figures) into `into`, an
    otherwise empty project, and return `into`. With `site`, also what a strict build of
    that one-practice catalogue needs. For tests that break a copy, never the checkout."""
    practice = catalogue().by_id()[practice_id]
    sources = [
        practice.page,
        practice.test_file,
        practice.measurements_file,
        *source_files(practice.snippet_dir).values(),
    ]
    if site:
        sources += [root() / name for name in SITE_FILES]
        (into / "src").mkdir(parents=True, exist_ok=True)  # mkdocs.yml watches it
    for source in sources:
        dest = into / source.relative_to(root())
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dest)
    return into


def command_env(**env: str) -> dict[str, str]:
    """The environment a contributor's shell has: nothing of the running pytest session's
    own (its PYTEST_* variables), and no MkDocs 2 banner. It writes no .pyc: these commands
    run in copies whose Python files the tests rewrite, and a file rewritten within the
    second at the same size would be read from its stale .pyc (what is compiled already,
    the package and its libraries, is still read)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    return {
        **base,
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }


def run_command(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command as a contributor types it: no terminal, output captured, at most 5 minutes."""
    return subprocess.run(  # noqa: S603 (the tests' own commands)
        args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL, env=command_env(**env),
    )  # fmt: skip
