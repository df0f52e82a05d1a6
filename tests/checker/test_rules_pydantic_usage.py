"""The Pydantic usage rules of `fastapi-practices check` (checker/rules/pydantic_usage.py):
request bodies typed `dict`/`Any` and `None` defaults on types that refuse None (FBP301),
`HTTPException` in validators (FBP304), settings classes without a prefix (FBP303).
Positive fixtures, false-positive guards, edge cases, and the snippet tree for every
Pydantic rule (this module's and pydantic_v1's)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import pydantic_usage, pydantic_v1
from fastapi_practices.checker.rules.pydantic_usage import (
    HTTPExceptionInValidator,
    NoneDefaultOnRequiredType,
    SettingsWithoutEnvPrefix,
    UntypedRequestBody,
)

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"


def check(rule: type[Rule], source: str, path: str = "app.py") -> list[Finding]:
    module = Module.parse(Path(path), path, textwrap.dedent(source))
    return list(rule().check(module))


def lines(findings: list[Finding]) -> list[int]:
    return sorted(f.line for f in findings)


# --- FBP301 untyped-request-body -------------------------------------------------------


def test_dict_and_any_bodies_are_reported() -> None:
    found = check(
        UntypedRequestBody,
        """
        from typing import Annotated, Any, Dict, Optional

        from fastapi import APIRouter, Body, FastAPI

        app = FastAPI()
        router = APIRouter()


        @app.post("/a")
        async def a(payload: dict): ...


        @router.put("/b/{id}")
        def b(id: int, data: dict[str, Any], extra: Dict[str, int] | None = None): ...


        @app.patch("/c")
        async def c(body: Annotated[Any, Body()], other: Optional[dict] = None): ...


        @app.post("/d")
        async def d(*, raw: Any = Body(...)): ...
        """,
    )
    assert lines(found) == [11, 15, 15, 19, 19, 23]
    assert all(f.code == "FBP301" for f in found)
    assert "request body `payload` is typed `dict`" in found[0].message
    assert "Pydantic model" in found[0].message


def test_models_queries_dependencies_and_non_routes_are_silent() -> None:
    assert not check(
        UntypedRequestBody,
        """
        from typing import Annotated, Any

        from fastapi import Depends, FastAPI, Query, Request
        from pydantic import BaseModel

        app = FastAPI()


        class Item(BaseModel):
            name: str


        async def claims() -> dict[str, Any]: ...


        @app.post("/a")
        async def a(
            item: Item,
            request: Request,
            user: Annotated[dict, Depends(claims)],
            filters: Annotated[dict, Query()] = None,
            q: Any = None,
            other: dict = Depends(claims),
        ) -> dict[str, Any]: ...


        def helper(payload: dict) -> None: ...


        @app.websocket("/ws")
        async def ws(payload: dict): ...
        """,
    )


def test_decorators_of_other_frameworks_are_not_routes() -> None:
    bolt = """
    from slack_bolt import App
    from app.bolt import shared

    app = App()


    @app.options("tags")
    def tags(payload: dict): ...


    @shared.options("more")
    def more(payload: dict): ...
    """
    imported_router = """
    from fastapi import Body
    from app.api import router


    @router.post("/a")
    async def a(payload: dict = Body(...)): ...
    """
    assert not check(UntypedRequestBody, bolt)
    assert lines(check(UntypedRequestBody, imported_router)) == [7]


# --- FBP301 none-default-on-required-type ----------------------------------------------


def test_none_defaults_on_required_types_are_reported() -> None:
    found = check(
        NoneDefaultOnRequiredType,
        """
        from datetime import datetime
        from typing import Annotated

        from pydantic import BaseModel, EmailStr, Field


        class User(BaseModel):
            age: int = Field(ge=18, default=None)
            name: str = None
            email: EmailStr = Field(None, description="x")
            tags: list[str] = None
            seen: Annotated[datetime, "meta"] = None
        """,
    )
    assert lines(found) == [9, 10, 11, 12, 13]
    assert "`age: int` defaults to None" in found[0].message
    assert "`int | None`" in found[0].message


def test_optional_and_unknown_annotations_are_silent() -> None:
    assert not check(
        NoneDefaultOnRequiredType,
        """
        from typing import Any, Optional, TypeVar, Union

        from pydantic import BaseModel, Field
        from app.types import Maybe

        MaybeInt = int | None
        T = TypeVar("T")


        class User(BaseModel):
            a: int | None = None
            b: Optional[int] = Field(default=None, ge=0)
            c: Union[int, None] = None
            d: None | str = None
            e: Any = None
            f: "int" = None
            g: MaybeInt = None
            h: Maybe = None
            i: T = None
            j: int = Field(default=0)
            k: int = 5


        class NotAModel:
            x: int = None
        """,
    )


# --- FBP304 http-exception-in-validator ------------------------------------------------


def test_http_exception_in_validators_is_reported() -> None:
    found = check(
        HTTPExceptionInValidator,
        """
        from fastapi import HTTPException
        from pydantic import BaseModel, field_validator, model_validator
        from starlette import exceptions


        class Profile(BaseModel):
            password: str

            @field_validator("password")
            @classmethod
            def strong(cls, value: str) -> str:
                if len(value) < 12:
                    raise HTTPException(status_code=400, detail="weak password")
                return value

            @model_validator(mode="after")
            def whole(self):
                raise exceptions.HTTPException(400)
        """,
    )
    assert lines(found) == [14, 19]
    assert "raise ValueError" in found[0].message and found[0].code == "FBP304"


def test_value_errors_and_routes_are_silent() -> None:
    assert not check(
        HTTPExceptionInValidator,
        """
        from fastapi import FastAPI, HTTPException
        from pydantic import BaseModel, field_validator

        app = FastAPI()


        class Profile(BaseModel):
            password: str

            @field_validator("password")
            @classmethod
            def strong(cls, value: str) -> str:
                def later():
                    raise HTTPException(400)  # a nested function, not the validator

                if len(value) < 12:
                    raise ValueError("weak")
                return value


        @app.post("/p")
        async def create(profile: Profile):
            raise HTTPException(status_code=409, detail="taken")
        """,
    )


# --- FBP303 settings-without-env-prefix ------------------------------------------------


def test_split_settings_without_prefixes_are_reported() -> None:
    found = check(
        SettingsWithoutEnvPrefix,
        """
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Auth(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")
            jwt_secret: str


        class Database(BaseSettings):
            url: str


        class Cache(BaseSettings, env_prefix="CACHE_"):
            url: str
        """,
    )
    assert lines(found) == [5, 10]
    assert "`Auth` has no `env_prefix`" in found[0].message
    assert found[0].code == "FBP303"


def test_one_settings_class_or_prefixed_ones_are_silent() -> None:
    one = """
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        database_url: str
    """
    prefixed = """
    from pydantic_settings import BaseSettings, SettingsConfigDict


    class Prefixed(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="APP_")


    class Child(Prefixed):  # inherits the prefix
        url: str


    class Legacy(BaseSettings):
        class Config:
            env_prefix = "LEGACY_"


    class Dict(BaseSettings):
        model_config = {"env_prefix": "DICT_"}
    """
    extended = """
    from pydantic_settings import BaseSettings


    class LoggingSettings(BaseSettings):
        log_level: str = "info"


    class AppSettings(LoggingSettings):  # one family, not a split
        base_url: str
    """
    assert not check(SettingsWithoutEnvPrefix, one)
    assert not check(SettingsWithoutEnvPrefix, prefixed)
    assert not check(SettingsWithoutEnvPrefix, extended)


# --- the snippet tree, for every Pydantic rule -----------------------------------------


def module_rules(*modules: object) -> list[type[Rule]]:
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value.__module__ == getattr(module, "__name__", "")
    ]


RULES = module_rules(pydantic_usage, pydantic_v1)


def practice_code(folder: Path) -> str | None:
    page = ROOT / "docs" / "practices" / folder.parent.name / f"{folder.name}.md"
    if not page.exists():
        return None
    return next(
        line.split(":", 1)[1].strip()
        for line in page.read_text().splitlines()
        if line.startswith("id:")
    )


def snippet_id(path: Path) -> str:
    return str(path.relative_to(SNIPPETS))


def findings(path: Path) -> list[Finding]:
    report = Checker(RULES).check_paths([path])
    assert not report.errors and not report.skipped
    return report.findings


CODES = {rule.code for rule in RULES}
BAD_FILES = sorted(
    path for path in SNIPPETS.glob("*/*/bad*.py") if practice_code(path.parent) in CODES
)
BAD_EXCEPTIONS = {
    "pydantic/let-pydantic-validate/bad.py": (
        "checks written in the route body: the model is valid Pydantic with no constraints, "
        "which no static rule can tell from a model that needs none"
    ),
}
GOOD_FILES = sorted(
    path
    for path in SNIPPETS.rglob("*.py")
    if path.name.startswith("good") or any(p.startswith("good") for p in path.parts[-3:-1])
)


def test_the_snippet_tree_has_what_these_rules_need() -> None:
    assert {"FBP301", "FBP302", "FBP303", "FBP304"} == CODES
    assert {practice_code(p.parent) for p in BAD_FILES} == CODES
    assert set(BAD_EXCEPTIONS) <= {snippet_id(p) for p in BAD_FILES}
    assert len(GOOD_FILES) >= 50


@pytest.mark.parametrize("path", BAD_FILES, ids=snippet_id)
def test_every_bad_snippet_of_these_practices_is_reported(path: Path) -> None:
    codes = {f.code for f in findings(path)}
    if snippet_id(path) in BAD_EXCEPTIONS:
        assert practice_code(path.parent) not in codes, "remove it from BAD_EXCEPTIONS"
        return
    assert practice_code(path.parent) in codes


@pytest.mark.parametrize("path", GOOD_FILES, ids=snippet_id)
def test_no_good_snippet_is_reported(path: Path) -> None:
    assert findings(path) == []


def test_nested_settings_are_one_tree_not_neighbours() -> None:
    """pydantic-settings' nested pattern: the inner class is read through the outer one's
    `env_nested_delimiter`, so it needs no prefix of its own."""
    nested = """
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class DatabaseSettings(BaseSettings):
            url: str = "postgresql://localhost/app"


        class CacheSettings(BaseSettings):
            url: str = "redis://localhost"


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_nested_delimiter="__")
            db: DatabaseSettings = DatabaseSettings()
            cache: CacheSettings | None = None
        """
    assert not check(SettingsWithoutEnvPrefix, nested)
    neighbours = nested.replace("    cache: CacheSettings | None = None\n", "")
    found = check(SettingsWithoutEnvPrefix, neighbours)
    assert [f.message.split("`")[1] for f in found] == ["CacheSettings", "Settings"]
