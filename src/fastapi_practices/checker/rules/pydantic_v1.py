"""Pydantic 1 patterns that still import on Pydantic 2 but are deprecated or broken there:
`json_encoders`, an inner `class Config`, `orm_mode`, `@validator`, `@root_validator`,
`Field(regex=...)` and `from pydantic import BaseSettings`.

Ruff has no rule for any of them (checked on ruff 0.17.5 with every rule selected)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.rules._index import nodes

PYDANTIC_BASES = frozenset(
    {
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
        "pydantic.BaseSettings",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "sqlmodel.SQLModel",
    }
)
"""Base classes whose subclasses are Pydantic models (`pydantic.v1` is left alone: code that
imports it asks for Pydantic 1 on purpose)."""

V1_CONFIG_KEYS = frozenset(
    {
        "orm_mode",
        "allow_population_by_field_name",
        "anystr_strip_whitespace",
        "anystr_lower",
        "anystr_upper",
        "min_anystr_length",
        "max_anystr_length",
        "allow_mutation",
        "schema_extra",
        "json_encoders",
        "json_loads",
        "json_dumps",
        "underscore_attrs_are_private",
        "validate_all",
        "smart_union",
        "copy_on_model_validation",
        "keep_untouched",
        "fields",
        "env_prefix",
        "env_file",
        "case_sensitive",
        "extra",
        "arbitrary_types_allowed",
        "validate_assignment",
        "use_enum_values",
        "allow_reuse",
        "frozen",
        "title",
        "alias_generator",
        "error_msg_templates",
    }
)
"""Keys of a Pydantic 1 `class Config`; one of them marks an inner `Config` as Pydantic's
even when the model's base class is imported from another module."""


def pydantic_model_names(module: Module) -> set[str]:
    """Names of the classes in this module that are Pydantic models, through local bases too."""
    assert module.tree is not None
    cached: set[str] | None = getattr(module.tree, "_fbp_pydantic_models", None)
    if cached is not None:
        return cached
    classes = [n for n in nodes(module, ast.ClassDef) if isinstance(n, ast.ClassDef)]
    models: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.name in models:
                continue
            for base in cls.bases:
                name = module.qualified(base)
                local = isinstance(base, ast.Name) and base.id in models
                if local or (name in PYDANTIC_BASES and _imported(module, base)):
                    models.add(cls.name)
                    changed = True
                    break
    setattr(module.tree, "_fbp_pydantic_models", models)  # noqa: B010
    return models


def _imported(module: Module, node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in module.imports


def config_keys(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Names assigned in a class body, to the node that assigns them."""
    keys: dict[str, ast.AST] = {}
    for stmt in body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Name):
                keys[target.id] = stmt
    return keys


def model_config_entries(module: Module, cls: ast.ClassDef) -> dict[str, ast.AST]:
    """Keys set in `model_config = ConfigDict(...)` (or a dict literal) of a class body."""
    entries: dict[str, ast.AST] = {}
    for stmt in cls.body:
        value = None
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "model_config"
        ):
            value = stmt.value
        entries.update(mapping_entries(value))
    return entries


def mapping_entries(value: ast.expr | None) -> dict[str, ast.AST]:
    """Keys of a `ConfigDict(a=1)`-like call or a `{"a": 1}` literal."""
    entries: dict[str, ast.AST] = {}
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg:
                entries[keyword.arg] = keyword.value
    elif isinstance(value, ast.Dict):
        for key in value.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                entries[key.value] = key
    return entries


def inner_configs(module: Module) -> Iterator[tuple[ast.ClassDef, ast.ClassDef]]:
    """(model, its inner `class Config`) for every Pydantic model of the module."""
    assert module.tree is not None
    models = pydantic_model_names(module)
    for cls in nodes(module, ast.ClassDef):
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                keys = config_keys(stmt.body)
                if cls.name in models or V1_CONFIG_KEYS & keys.keys():
                    yield cls, stmt


class PydanticV1Config(Rule):
    """An inner `class Config` or an `orm_mode` key in a Pydantic model.

    Catches: a `class Config:` nested in a Pydantic model (a subclass of `BaseModel`,
    `BaseSettings` or `SQLModel`, directly or through a class of the same module, or any
    class whose inner `Config` sets a Pydantic 1 key such as `orm_mode`), which Pydantic 2
    deprecates in favour of `model_config = ConfigDict(...)`; and `orm_mode`, in an inner
    `Config`, a `ConfigDict(...)` or a `model_config` dict, renamed `from_attributes` in
    Pydantic 2.

    Known false positives: a class named `Config` nested in a class that inherits a Pydantic
    model from another module and sets only keys Pydantic 1 did not have is missed, not
    reported; code that imports `pydantic.v1` on purpose is left alone.
    """

    code = "FBP302"
    name = "pydantic-v1-config"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for _model, config in inner_configs(module):
            yield self.finding(
                module,
                config,
                "inner `class Config` is Pydantic 1's config, deprecated in Pydantic 2; "
                "set `model_config = ConfigDict(...)` on the project's base model",
            )
            keys = config_keys(config.body)
            if "orm_mode" in keys:
                yield self.orm_mode(module, keys["orm_mode"])
        models = pydantic_model_names(module)
        for cls in nodes(module, ast.ClassDef):
            if isinstance(cls, ast.ClassDef) and cls.name in models:
                entries = model_config_entries(module, cls)
                if "orm_mode" in entries:
                    yield self.orm_mode(module, entries["orm_mode"])

    def orm_mode(self, module: Module, node: ast.AST) -> Finding:
        return self.finding(
            module,
            node,
            "`orm_mode` is Pydantic 1's name; Pydantic 2 calls it `from_attributes=True`",
        )


class JsonEncoders(Rule):
    """A `json_encoders` entry in a Pydantic model's config.

    Catches: `json_encoders` as a keyword of `ConfigDict(...)`, a key of a `model_config`
    dict, or an attribute of an inner `class Config`. Pydantic 2 deprecates it (every
    subclass with a matching field warns when defined) and it reaches only the model's own
    JSON, not a dict dumped first; the page's fix is an `Annotated` type with a
    `PlainSerializer(..., when_used="json")`.

    Known false positives: a `ConfigDict` of another library with a `json_encoders` keyword.
    """

    code = "FBP302"
    name = "json-encoders"

    MESSAGE = (
        "`json_encoders` is deprecated in Pydantic 2 and skips dicts dumped first; "
        'put the format on an `Annotated` type with `PlainSerializer(..., when_used="json")`'
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for _model, config in inner_configs(module):
            keys = config_keys(config.body)
            if "json_encoders" in keys:
                yield self.finding(module, keys["json_encoders"], self.MESSAGE)
        for node in nodes(module, ast.Call):
            if isinstance(node, ast.Call) and module.qualified(node.func) in (
                "pydantic.ConfigDict",
                "pydantic.config.ConfigDict",
                "pydantic_settings.SettingsConfigDict",
            ):
                for keyword in node.keywords:
                    if keyword.arg == "json_encoders":
                        yield self.finding(module, keyword.value, self.MESSAGE)
        models = pydantic_model_names(module)
        for cls in nodes(module, ast.ClassDef):
            if isinstance(cls, ast.ClassDef) and cls.name in models:
                for stmt in cls.body:
                    value = getattr(stmt, "value", None)
                    targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
                    is_config = any(
                        isinstance(t, ast.Name) and t.id == "model_config" for t in targets
                    )
                    if is_config and isinstance(value, ast.Dict):
                        entry = mapping_entries(value).get("json_encoders")
                        if entry is not None:
                            yield self.finding(module, entry, self.MESSAGE)


VALIDATORS = {
    "pydantic.validator": "`@validator` is Pydantic 1's decorator, deprecated in Pydantic 2; "
    "use `@field_validator` and raise ValueError",
    "pydantic.class_validators.validator": "`@validator` is Pydantic 1's decorator, deprecated "
    "in Pydantic 2; use `@field_validator` and raise ValueError",
    "pydantic.root_validator": "`@root_validator` is Pydantic 1's decorator, deprecated in "
    'Pydantic 2; use `@model_validator(mode="before")` or `mode="after"` and raise ValueError',
    "pydantic.class_validators.root_validator": "`@root_validator` is Pydantic 1's decorator, "
    'deprecated in Pydantic 2; use `@model_validator(mode="before")` or `mode="after"` and '
    "raise ValueError",
}


class PydanticV1Validator(Rule):
    """A Pydantic 1 `@validator` or `@root_validator` decorator.

    Catches: a function decorated with `pydantic.validator` or `pydantic.root_validator`
    (imported under any name, called or not). Pydantic 2 deprecates both; a bare
    `@root_validator` without `skip_on_failure=True` fails when the class is defined. The
    replacements are `@field_validator` and `@model_validator`, raising `ValueError`.

    Known false positives: None known (decorators imported from `pydantic.v1` are left alone).
    """

    code = "FBP304"
    name = "pydantic-v1-validator"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.FunctionDef, ast.AsyncFunctionDef):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = module.qualified(target)
                    if name in VALIDATORS and _imported(module, target):
                        yield self.finding(module, decorator, VALIDATORS[name])


class PydanticV1BaseSettings(Rule):
    """`BaseSettings` imported from `pydantic`, where Pydantic 2 no longer has it.

    Catches: `from pydantic import BaseSettings` and `pydantic.BaseSettings`. On Pydantic 2
    the import raises `PydanticImportError`: the class moved to the `pydantic-settings`
    package (`from pydantic_settings import BaseSettings`).

    Known false positives: a project pinned to Pydantic 1 on purpose.
    """

    code = "FBP303"
    name = "pydantic-v1-basesettings"

    MESSAGE = (
        "`BaseSettings` left `pydantic` in Pydantic 2 (the import fails); "
        "import it from `pydantic_settings` and give each domain an `env_prefix`"
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.ImportFrom, ast.Attribute):
            if isinstance(node, ast.ImportFrom) and node.module == "pydantic" and not node.level:
                if any(alias.name == "BaseSettings" for alias in node.names):
                    yield self.finding(module, node, self.MESSAGE)
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "BaseSettings"
                and module.qualified(node) == "pydantic.BaseSettings"
                and _imported(module, node)
            ):
                yield self.finding(module, node, self.MESSAGE)


class FieldRegex(Rule):
    """`Field(regex=...)`, Pydantic 1's spelling, which fails on Pydantic 2.

    Catches: a call to `pydantic.Field` with a `regex=` keyword. Pydantic 2 raises
    `PydanticUserError` (`removed-kwargs`) when the model class is created; the keyword is
    `pattern=` now.

    Known false positives: None known (FastAPI's `Query(regex=...)` still works with a
    deprecation warning and is not reported).
    """

    code = "FBP301"
    name = "field-regex"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.Call):
            if (
                isinstance(node, ast.Call)
                and module.qualified(node.func) in ("pydantic.Field", "pydantic.fields.Field")
                and _imported(module, node.func)
            ):
                for keyword in node.keywords:
                    if keyword.arg == "regex":
                        yield self.finding(
                            module,
                            keyword.value,
                            "`Field(regex=...)` fails on Pydantic 2 when the class is built; "
                            "write `pattern=`",
                        )
