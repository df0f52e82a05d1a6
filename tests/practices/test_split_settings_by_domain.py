"""FBP303: one BaseSettings per domain, each with its own env_prefix, all reading one `.env`.

Each snippet is copied to a temporary folder next to a `.env` written by the test and started
with uvicorn in a subprocess (its working directory is that folder, where `env_file=".env"`
looks). Settings are read at import, so a bad setting stops uvicorn before it listens.
"""

import re
from pathlib import Path

import httpx
import pytest
from pydantic import PostgresDsn, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import create_async_engine

from fastapi_practices.testing.live import copy_snippets, live_server, snippet_path

PRACTICE = "pydantic/split-settings-by-domain"
DSN = "postgresql+asyncpg://shop:dev-password@db.internal:5432/shop"
SETTING_NAMES = (
    "AUTH_JWT_SECRET",
    "AUTH_JWT_EXP_MINUTES",
    "JWT_SECRET",
    "JWT_EXP_MINUTES",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "SENTRY_DSN",
)
# One .env for the whole project, as most teams keep it; a third domain's line included.
GOOD_ENV = f"""AUTH_JWT_SECRET=dev-only-secret
AUTH_JWT_EXP_MINUTES=15
DATABASE_URL={DSN}
DATABASE_POOL_SIZE=7
SENTRY_DSN=https://key@sentry.invalid/1
"""
BAD_ENV = f"""JWT_SECRET=dev-only-secret
JWT_EXP_MINUTES=15
DATABASE_URL={DSN}
DATABASE_POOL_SIZE=7
"""


def validation_errors(output: str) -> tuple[str, dict[str, str]]:
    """The header of a ValidationError uvicorn printed, and each field's error type."""
    [header] = re.findall(r"(\d+ validation errors? for \w+)$", output, re.MULTILINE)
    fields = dict(re.findall(r"^(\w+)\n  .*\[type=(\w+)", output, re.MULTILINE))
    return header, fields


def project(folder: Path, dotenv: str | None) -> Path:
    source = snippet_path(PRACTICE, "good").parent
    copy_snippets(source, folder, ignore=("__pycache__", ".env"))
    if dotenv is not None:
        (folder / ".env").write_text(dotenv)
    return folder


def start(name: str, folder: Path, env: dict[str, str] | None = None) -> dict | str:
    """Start the snippet; return its /status JSON, or what uvicorn printed if it exits."""
    try:
        with live_server(
            snippet_path(PRACTICE, name), app_dir=folder, module=name, env=env
        ) as server:
            return httpx.get(f"{server.url}/status", timeout=10).json()
    except RuntimeError as exc:
        return str(exc)


# name: (snippet, .env content or None, extra environment variables)
SCENARIOS = {
    "good": ("good", GOOD_ENV, {"AUTH_JWT_EXP_MINUTES": "30"}),
    "bad_dotenv": ("bad", BAD_ENV, {}),
    "bad_dsn": ("bad", None, {"JWT_SECRET": "dev-only-secret", "DATABASE_URL": DSN}),
    # One setting missing and one malformed, in the same start-up.
    "missing": (
        "good",
        GOOD_ENV.replace("AUTH_JWT_SECRET=dev-only-secret\n", "AUTH_REFRESH_TOKEN_TTL=a month\n"),
        {},
    ),
    "typo": ("good", GOOD_ENV.replace("AUTH_JWT_EXP_MINUTES=15", "AUTH_JWT_EXP_MINUTS=15"), {}),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict | str]:
    """Start every scenario once; the tests below read what happened."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        # The servers inherit our environment; only what a scenario sets may reach them.
        for name in SETTING_NAMES:
            monkeypatch.delenv(name, raising=False)
        return {
            key: start(snippet, project(tmp_path_factory.mktemp(key) / "p", dotenv), env)
            for key, (snippet, dotenv, env) in SCENARIOS.items()
        }


def test_each_domain_reads_its_own_prefix_from_env_and_dotenv(outcomes, record) -> None:
    # A real environment variable beats the .env line for the same setting.
    status = outcomes["good"]
    assert status == {
        "database": "postgresql+asyncpg://shop:***@db.internal:5432/shop",
        "pool_size": 7,
        "token_minutes": 30,
    }
    record(
        "good",
        "`good.py` with the shared `.env` (and `AUTH_JWT_EXP_MINUTES=30` exported)",
        status,
        f"starts; pool size {status['pool_size']}, token minutes "
        f"{status['token_minutes']}, URL `{status['database']}`",
    )


def test_unprefixed_settings_reject_the_other_domains_lines(outcomes, record) -> None:
    output = outcomes["bad_dotenv"]
    assert isinstance(output, str), "bad.py was expected to stop at start-up"
    # The auth settings see the database lines of the same .env as unknown fields.
    assert "2 validation errors for AuthConfig" in output
    assert "database_url\n  Extra inputs are not permitted [type=extra_forbidden" in output
    assert "database_pool_size\n  Extra inputs are not permitted" in output
    header, fields = validation_errors(output)
    assert fields == {"database_url": "extra_forbidden", "database_pool_size": "extra_forbidden"}
    record(
        "bad_dotenv",
        "`bad.py` with the shared `.env`",
        fields,
        f"exits at start-up: `{header}`, "
        + ", ".join(f"`{field}`: `{kind}`" for field, kind in fields.items()),
    )


def test_dsn_object_passed_to_sqlalchemy_stops_start_up(outcomes, record) -> None:
    """Without a .env the settings load, and the engine line is the next thing to fail."""
    output = outcomes["bad_dsn"]
    assert isinstance(output, str), "bad.py was expected to stop at start-up"
    assert (
        f"sqlalchemy.exc.ArgumentError: Expected string or URL object, got PostgresDsn('{DSN}')"
    ) in output
    [(error, message)] = re.findall(r"^sqlalchemy\.exc\.(\w+): (.*PostgresDsn)\(", output, re.M)
    record(
        "bad_dsn",
        "`bad.py`, settings exported, no `.env`",
        error,
        f"exits at start-up: `{error}: {message}(...)`",
    )


def test_missing_required_setting_stops_start_up(outcomes, record) -> None:
    output = outcomes["missing"]
    assert isinstance(output, str), "good.py was expected to stop at start-up"
    assert "2 validation errors for AuthSettings\njwt_secret\n  Field required [type=missing" in (
        output
    )
    assert "refresh_token_ttl\n  Input should be a valid timedelta" in output
    header, fields = validation_errors(output)
    assert fields == {"jwt_secret": "missing", "refresh_token_ttl": "time_delta_parsing"}
    # The message names the field, not the variable: the reader adds the prefix.
    assert "AUTH_JWT_SECRET" not in output and "AUTH_REFRESH_TOKEN_TTL" not in output
    record(
        "missing",
        "`good.py` without `AUTH_JWT_SECRET`, with `AUTH_REFRESH_TOKEN_TTL=a month`",
        fields,
        f"exits at start-up: `{header}`, "
        + ", ".join(f"`{field}`: `{kind}`" for field, kind in fields.items()),
    )


def test_typo_inside_a_domain_prefix_still_fails(outcomes, record) -> None:
    output = outcomes["typo"]
    assert isinstance(output, str), "good.py was expected to stop at start-up"
    assert "jwt_exp_minuts\n  Extra inputs are not permitted [type=extra_forbidden" in output
    header, fields = validation_errors(output)
    assert fields == {"jwt_exp_minuts": "extra_forbidden"}
    record(
        "typo",
        "`good.py` with `AUTH_JWT_EXP_MINUTS` (typo) in `.env`",
        fields,
        f"exits at start-up: `{header}`, "
        + ", ".join(f"`{field}`: `{kind}`" for field, kind in fields.items()),
    )


def test_sqlalchemy_wants_the_text_of_a_dsn() -> None:
    dsn = PostgresDsn(DSN)
    assert not isinstance(dsn, str)
    with pytest.raises(ArgumentError, match="Expected string or URL object, got PostgresDsn"):
        make_url(dsn)
    with pytest.raises(ArgumentError, match="Expected string or URL object, got PostgresDsn"):
        create_async_engine(dsn)
    with pytest.raises(ArgumentError, match="Expected string or URL object, got PostgresDsn"):
        create_engine(dsn)
    # create_async_engine is lazy: no connection is made, so no server is needed here.
    engine = create_async_engine(str(dsn))
    assert engine.url.render_as_string(hide_password=False) == DSN
    assert repr(engine.url) == "postgresql+asyncpg://shop:***@db.internal:5432/shop"


# The other domains' lines, and a typo inside the prefix.
SHARED_DOTENV = SCENARIOS["typo"][1]


def auth_settings(dotenv: Path, **config) -> type[BaseSettings]:
    class AuthSettings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="AUTH_", env_file=dotenv, **config)

        jwt_secret: str
        jwt_exp_minutes: int = 5

    return AuthSettings


@pytest.mark.usefixtures("no_settings_in_environment")
def test_a_prefix_alone_does_not_scope_the_dotenv_file(tmp_path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(SHARED_DOTENV)
    with pytest.raises(ValidationError) as caught:
        auth_settings(dotenv)()
    refused = {error["loc"][0] for error in caught.value.errors()}
    assert {"database_url", "database_pool_size", "sentry_dsn"} <= refused
    # With the filter, only the typo inside the prefix is refused.
    with pytest.raises(ValidationError) as caught:
        auth_settings(dotenv, dotenv_filtering="match_prefix")()
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
        ("extra_forbidden", ("jwt_exp_minuts",))
    ]


@pytest.mark.usefixtures("no_settings_in_environment")
def test_extra_ignore_also_hides_a_typo(tmp_path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(SHARED_DOTENV)
    settings = auth_settings(dotenv, extra="ignore")()
    # It starts, and the misspelt AUTH_JWT_EXP_MINUTS=15 is dropped without a word.
    assert settings.jwt_exp_minutes == 5
    assert not hasattr(settings, "jwt_exp_minuts")


@pytest.fixture
def no_settings_in_environment(monkeypatch) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
