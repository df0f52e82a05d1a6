"""The catalogue checkout the tests run in, found once and read once per process.

`ROOT` and `SNIPPETS` are looked up on first use (from the working directory upwards), so
importing the toolkit outside a checkout costs nothing and fails nowhere.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi_practices.catalogue import Catalogue, find_root, load_catalogue


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
