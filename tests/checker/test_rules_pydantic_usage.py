"""The Pydantic usage rules of `fastapi-practices check` (checker/rules/pydantic_usage.py):
request bodies typed `dict`/`Any` and `None` defaults on types that refuse None (FBP301),
`HTTPException` in validators (FBP304), settings classes without a prefix (FBP303).
Positive fixtures, false-positive guards, edge cases, and the snippet tree for every
Pydantic rule (this module's and pydantic_v1's)."""

from __future__ import annotations

from pathlib import Path

from fastapi_practices.checker.rules.pydantic_usage import (
    HTTPExceptionInValidator,
    NoneDefaultOnRequiredType,
    SettingsWithoutEnvPrefix,
    UntypedRequestBody,
)
from fastapi_practices.testing.checker import check, lines

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"


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
