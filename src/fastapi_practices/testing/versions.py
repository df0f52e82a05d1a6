"""Which releases are installed, for tests whose claim changed with a release.

A behaviour test runs on every point of the version matrix (`make test-matrix`). Where a
claim changed in some release, the test asserts each behaviour on its own side of that
release with `since`; where a snippet needs a feature that an older release lacks, the test
is marked `needs(...)`, and the matrix shows the practice as not applicable there:

    from fastapi_practices.testing.versions import needs, since

    pytestmark = needs("fastapi", "0.121.0", "Depends(scope=...)")

    def test_missing_credentials(...):
        assert status == (401 if since("fastapi", "0.122.0") else 403)
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

NAMES = {
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "pydantic": "Pydantic",
    "uvicorn": "uvicorn",
}


def release(package: str) -> tuple[int, ...]:
    """The installed release of `package` as numbers: `(0, 165, 0)`."""
    return parse(version(package))


def parse(text: str) -> tuple[int, ...]:
    """`"0.121.0"` -> `(0, 121, 0)`; pre-release tags are ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", text.split("rc")[0])[:3])


def since(package: str, first: str) -> bool:
    """Whether the installed `package` is `first` or later."""
    return release(package) >= parse(first)


def needs(package: str, first: str, why: str) -> pytest.MarkDecorator:
    """Skip, as not applicable, where `package` is older than `first`. The reason starts
    with `needs <Package> <release>`, which the version matrix reads as "n/a"."""
    name = NAMES.get(package, package)
    return pytest.mark.skipif(not since(package, first), reason=f"needs {name} {first}: {why}")
