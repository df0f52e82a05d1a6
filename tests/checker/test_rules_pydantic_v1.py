"""The Pydantic 1 rules of `fastapi-practices check` (checker/rules/pydantic_v1.py):
inner `class Config` and `orm_mode` (FBP302), `json_encoders` (FBP302), `@validator` and
`@root_validator` (FBP304), `from pydantic import BaseSettings` (FBP303), `Field(regex=)`
(FBP301). Positive fixtures, false-positive guards, edge cases, and a ruff cross-check."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi_practices.checker.base import Finding, Rule
from fastapi_practices.checker.rules.pydantic_v1 import (
    FieldRegex,
    JsonEncoders,
    PydanticV1BaseSettings,
    PydanticV1Config,
    PydanticV1Validator,
)
from fastapi_practices.testing.checker import check as examples_check
from fastapi_practices.testing.checker import lines

RULES: list[type[Rule]] = [
    FieldRegex,
    JsonEncoders,
    PydanticV1BaseSettings,
    PydanticV1Config,
    PydanticV1Validator,
]


def check(rule: type[Rule], source: str, path: str = "schemas.py") -> list[Finding]:
    return examples_check(rule, source, path)


V1_MODELS = """
from datetime import datetime

from pydantic import BaseModel, BaseSettings, Field, root_validator, validator
from app.base import AppModel


class Base(BaseModel):
    class Config:
        allow_population_by_field_name = True


class User(Base):
    name: str = Field(regex=r"^[a-z]+$")

    class Config:
        orm_mode = True
        json_encoders = {datetime: lambda d: d.isoformat()}

    @validator("name")
    def lower(cls, value):
        return value.lower()

    @root_validator(pre=True)
    def check(cls, values):
        return values

    @root_validator
    def bare(cls, values):
        return values


class Elsewhere(AppModel):  # base from another module: known by its v1 keys
    class Config:
        orm_mode = True


class Settings(BaseSettings):
    class Config:
        env_file = ".env"
"""


def test_inner_config_and_orm_mode() -> None:
    found = check(PydanticV1Config, V1_MODELS)
    assert lines(found) == [9, 16, 17, 34, 35, 39]
    assert all(f.code == "FBP302" for f in found)
    by_line = {f.line: f.message for f in found}
    assert "inner `class Config`" in by_line[9]
    assert "from_attributes=True" in by_line[17]


def test_json_encoders_everywhere_it_can_be_set() -> None:
    found = check(JsonEncoders, V1_MODELS)
    assert lines(found) == [18]
    v2 = check(
        JsonEncoders,
        """
        from datetime import datetime
        from pydantic import BaseModel, ConfigDict


        class A(BaseModel):
            model_config = ConfigDict(json_encoders={datetime: str})


        class B(BaseModel):
            model_config = {"json_encoders": {datetime: str}}
        """,
    )
    assert lines(v2) == [7, 11]
    assert "PlainSerializer" in v2[0].message and v2[0].code == "FBP302"


def test_validators() -> None:
    found = check(PydanticV1Validator, V1_MODELS)
    assert lines(found) == [20, 24, 28]
    assert "`@field_validator`" in found[0].message
    assert "`@model_validator" in found[1].message
    assert {f.code for f in found} == {"FBP304"}


def test_basesettings_import() -> None:
    found = check(PydanticV1BaseSettings, V1_MODELS)
    assert lines(found) == [4]
    assert "pydantic_settings" in found[0].message and found[0].code == "FBP303"
    attr = check(PydanticV1BaseSettings, "import pydantic\n\nclass S(pydantic.BaseSettings): ...\n")
    assert lines(attr) == [3]


def test_field_regex() -> None:
    found = check(FieldRegex, V1_MODELS)
    assert lines(found) == [14]
    assert "`pattern=`" in found[0].message and found[0].code == "FBP301"


V2_MODELS = """
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator
from pydantic import model_validator
from pydantic.v1 import BaseModel as V1Model, validator as v1_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Stamp = Annotated[datetime, PlainSerializer(str, when_used="json")]


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    name: str = Field(pattern=r"^[a-z]+$")
    at: Stamp

    @field_validator("name")
    @classmethod
    def lower(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def check(self) -> "User":
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")


class Legacy(V1Model):  # pydantic.v1 on purpose
    class Config:
        orm_mode = True

    @v1_validator("x")
    def x(cls, value):
        return value


class Meta:  # not a model: a Django-style inner Config with no Pydantic key
    class Config:
        verbose_name = "meta"


def search(q: str = Query(regex="^a")):  # FastAPI's deprecated alias still works
    return q


def validator(*args):  # a local function named like Pydantic's
    return lambda f: f


class Local:
    @validator("x")
    def x(self): ...
"""


def test_pydantic_2_code_is_silent() -> None:
    for rule in RULES:
        found = check(rule, V2_MODELS)
        # `Legacy` sets orm_mode in an inner Config: the v1-key fallback still finds it.
        if rule is PydanticV1Config:
            assert lines(found) == [35, 36]
        else:
            assert found == [], rule.name


def test_ruff_reports_none_of_these(tmp_path: Path) -> None:
    """With every rule selected, ruff says only style on the lines these rules report."""
    path = tmp_path / "schemas.py"
    path.write_text(textwrap.dedent(V1_MODELS))
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "ALL", "--output-format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    ours = {f.line for rule in RULES for f in check(rule, V1_MODELS)}
    assert len(ours) == 12
    theirs = {item["code"] for item in json.loads(out.stdout) if item["location"]["row"] in ours}
    assert theirs <= {"D106", "RUF012"}  # nested-class docstring, mutable class attribute
