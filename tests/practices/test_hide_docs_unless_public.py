"""FBP503: every docs URL answers 404 outside an explicit list of environments.

Each snippet runs under uvicorn with ENVIRONMENT set as a deployment would set it, and the
test asks for all four URLs FastAPI serves for its docs: the Swagger UI page, its OAuth2
redirect page, ReDoc, and the OpenAPI schema they are all built from.
"""

from __future__ import annotations

import re
import runpy
import textwrap
import warnings
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.config import Config

from fastapi_practices.testing.live import live_app, live_server, load_snippet, snippet_path

PRACTICE = "api-design/hide-docs-unless-public"
DOCS_URLS = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
ALL_HIDDEN = dict.fromkeys(DOCS_URLS, 404)
ALL_SHOWN = dict.fromkeys(DOCS_URLS, 200)
# "prod" is on no list: an environment someone named differently, or a typo.
ENVIRONMENTS = ("production", "local", "prod")


def probe(server_url: str) -> tuple[dict[str, int], httpx.Response]:
    with httpx.Client(base_url=server_url, timeout=10) as client:
        statuses = {url: client.get(url).status_code for url in DOCS_URLS}
        schema = client.get("/openapi.json")
        # Hiding the docs must not hide the API.
        assert client.get("/orders/7").json() == {"id": 7}
    return statuses, schema


def show(statuses: dict[str, int]) -> str:
    return " · ".join(f"`{url}` {code}" for url, code in statuses.items())


@pytest.fixture(scope="module")
def served() -> dict[tuple[str, str], tuple[dict[str, int], httpx.Response]]:
    out = {}
    for name in ("bad", "good"):
        for environment in ENVIRONMENTS:
            path = snippet_path(PRACTICE, name)
            with live_server(path, env={"ENVIRONMENT": environment}) as server:
                out[name, environment] = probe(server.url)
    return out


def test_good_hides_every_docs_url_in_production(served, record) -> None:
    statuses, _ = served["good", "production"]
    record("good-production", "`good.py`, `ENVIRONMENT=production`", statuses, show(statuses))
    assert statuses == ALL_HIDDEN


def test_hiding_only_the_swagger_page_leaves_the_schema_public(served, record) -> None:
    statuses, schema = served["bad", "production"]
    record("bad-production", "`bad.py`, `ENVIRONMENT=production`", statuses, show(statuses))
    assert statuses["/docs"] == 404
    assert statuses["/docs/oauth2-redirect"] == 404
    # ReDoc and the schema itself are still served: the whole API surface, one GET away.
    assert statuses["/redoc"] == 200
    assert statuses["/openapi.json"] == 200
    assert "/orders/{order_id}" in schema.json()["paths"]


@pytest.mark.parametrize("name", ["bad", "good"])
def test_listed_environment_shows_every_docs_url(served, record, name) -> None:
    statuses, schema = served[name, "local"]
    record(f"{name}-local", f"`{name}.py`, `ENVIRONMENT=local`", statuses, show(statuses))
    assert statuses == ALL_SHOWN
    assert "/orders/{order_id}" in schema.json()["paths"]


def test_unlisted_environment_falls_on_the_hidden_side_only_with_an_allow_list(
    served, record
) -> None:
    bad, _ = served["bad", "prod"]
    good, _ = served["good", "prod"]
    record("bad-prod", "`bad.py`, `ENVIRONMENT=prod` (on no list)", bad, show(bad))
    record("good-prod", "`good.py`, `ENVIRONMENT=prod` (on no list)", good, show(good))
    assert bad == ALL_SHOWN
    assert good == ALL_HIDDEN


# ------------------------------------------------------- the guide's version, as written

GUIDE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    from starlette.config import Config

    config = Config(".env")
    ENVIRONMENT = config("ENVIRONMENT")
    app_configs = {"title": "Orders API"}
    if ENVIRONMENT not in ("local", "staging"):
        app_configs["openapi_url"] = None
    app = FastAPI(**app_configs)
    """
)


def test_guide_pattern_openapi_url_none_hides_all_four(tmp_path: Path, record) -> None:
    app_file = tmp_path / "guide_app.py"
    app_file.write_text(GUIDE_APP)
    # No .env file beside it, as on a server configured by real environment variables.
    with live_server(app_file, env={"ENVIRONMENT": "production"}) as server:
        with httpx.Client(base_url=server.url) as client:
            statuses = {url: client.get(url).status_code for url in DOCS_URLS}
        output = server.output()
    record(
        "guide-production",
        "The guide's `openapi_url=None` pattern, production",
        statuses,
        show(statuses),
    )
    # Since FastAPI 0.54.2, no schema URL means no docs routes at all.
    assert statuses == ALL_HIDDEN
    # Starlette's Config warns about the missing file at import time.
    assert "UserWarning: Config file '.env' not found." in output


def test_warnings_as_errors_stop_the_guide_app_at_import(tmp_path: Path, monkeypatch, request):
    # This suite turns every warning into an error (pyproject's filterwarnings).
    assert request.config.getini("filterwarnings")[0] == "error"
    app_file = tmp_path / "guide_app.py"
    app_file.write_text(GUIDE_APP)
    monkeypatch.chdir(tmp_path)  # Config(".env") looks in the working directory: none here
    monkeypatch.setenv("ENVIRONMENT", "production")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match=r"Config file '\.env' not found\."):
            runpy.run_path(str(app_file))


def test_good_without_environment_or_env_file_hides_the_docs_silently(
    tmp_path: Path, monkeypatch, record
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would fail the import
        module = load_snippet(snippet_path(PRACTICE, "good"))
    assert module.settings.environment == "production"
    with live_app(module.app) as url:
        statuses, _ = probe(url)
    record("good-unset", "`good.py`, `ENVIRONMENT` unset, no `.env`", statuses, show(statuses))
    assert statuses == ALL_HIDDEN


def test_starlette_config_reads_env_file_and_warns_without_one(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    with pytest.warns(UserWarning, match=r"Config file '.*\.env' not found\."):
        config = Config(env_file, environ={})
    # And with no default, a missing variable stops the import.
    with pytest.raises(KeyError, match="Config 'ENVIRONMENT' is missing, and has no default"):
        config("ENVIRONMENT")
    env_file.write_text("ENVIRONMENT=staging\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Config(env_file, environ={})("ENVIRONMENT") == "staging"


def test_a_hand_written_docs_route_outlives_openapi_url_none(record) -> None:
    """Self-hosted Swagger UI (FBP504) is your own route: openapi_url=None keeps it."""
    app = FastAPI(docs_url=None, openapi_url=None)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=str(app.openapi_url), title="Orders API")

    with live_app(app) as url, httpx.Client(base_url=url) as client:
        docs = client.get("/docs")
        schema = client.get("/openapi.json")
    told = re.search(r"url: '[^']*'", docs.text)
    assert told is not None, docs.text
    record(
        "self-hosted",
        "Hand-written `/docs` route with `openapi_url=None`",
        {"/docs": docs.status_code, "/openapi.json": schema.status_code},
        f"`/docs` {docs.status_code} (Swagger UI told to load `{told.group()}`) · "
        f"`/openapi.json` {schema.status_code}",
    )
    assert docs.status_code == 200
    assert told.group() == "url: 'None'"
    assert schema.status_code == 404
