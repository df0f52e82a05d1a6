"""Shared fixtures: recorded measurements, and a fix for pytest-examples on Python 3.11."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from catalogue import ROOT, load_catalogue

if sys.version_info < (3, 12):
    # pytest-examples rebuilds tracebacks with ctypes frames; on 3.11 that can end pytest with
    # "INTERNALERROR> StopIteration" when a snippet raises. Keep the original traceback there.
    import pytest_examples.run_code

    pytest_examples.run_code.create_example_traceback = lambda exc, module_path, example: (
        exc.__traceback__
    )


# DATABASE_URL names the server the tests may create databases on. Take it out of the
# environment, so snippets that read DATABASE_URL see only the per-module database a test
# hands them, never the developer's server.
SERVER_DATABASE_URL = os.environ.pop("DATABASE_URL", None)


@pytest.fixture(scope="session")
def postgres_server_url():
    """A real PostgreSQL for the whole session (DATABASE_URL's, or an embedded one)."""
    from support.postgres import PostgresUnavailable, postgres_server

    try:
        with postgres_server(SERVER_DATABASE_URL) as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def database(postgres_server_url, request: pytest.FixtureRequest):
    """A fresh, empty database for this test module on the session's PostgreSQL server."""
    from support.postgres import fresh_database

    with fresh_database(postgres_server_url, Path(request.node.path).stem) as db:
        yield db


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record",
        action="store_true",
        help="write the figures the behaviour tests measured to tests/measurements/<ID>.json "
        "(only when the whole run passes); the practice pages show them",
    )


_figures: dict[str, list[dict[str, Any]]] = {}


def _practice_for(test_path: Path) -> str:
    for practice in load_catalogue(ROOT).practices:
        if practice.test_file == test_path:
            return practice.id
    raise LookupError(f"{test_path} is not the behaviour test of any practice")


@pytest.fixture
def record(request: pytest.FixtureRequest):
    """record(key, label, value, display) keeps a figure a test measured, for the practice page."""
    practice_id = _practice_for(Path(request.node.path))

    def _record(key: str, label: str, value: float | int | str, display: str) -> None:
        figures = _figures.setdefault(practice_id, [])
        figures[:] = [f for f in figures if f["key"] != key]
        figures.append({"key": key, "label": label, "value": value, "display": display})

    return _record


def environment() -> dict[str, str]:
    return {
        "fastapi": version("fastapi"),
        "pydantic": version("pydantic"),
        "starlette": version("starlette"),
        "uvicorn": version("uvicorn"),
        "python": platform.python_version(),
        "cpus": str(os.cpu_count()),
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not session.config.getoption("record") or exitstatus != 0 or not _figures:
        return
    out = ROOT / "tests" / "measurements"
    out.mkdir(exist_ok=True)
    for practice_id, figures in _figures.items():
        data = {
            "practice": practice_id,
            "recorded": datetime.now(UTC).date().isoformat(),
            "command": "make measure",
            "environment": environment(),
            "figures": figures,
        }
        (out / f"{practice_id}.json").write_text(json.dumps(data, indent=2) + "\n")
