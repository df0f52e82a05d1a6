"""How request models, validators and settings classes use Pydantic: bodies typed `dict` or
`Any`, `None` defaults on types that refuse `None`, `HTTPException` raised in a validator,
and settings classes that share one environment without a prefix.

Ruff has no rule for any of them (checked on ruff 0.17.5 with every rule selected)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_practices.checker.base import TYPE_ALIAS, Finding, Module, Rule
from fastapi_practices.checker.rules._index import nodes
from fastapi_practices.checker.rules.pydantic_v1 import (
    _imported,
    config_keys,
    model_config_entries,
    pydantic_model_names,
)

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"}
)
NOT_BODY = frozenset(
    {"Depends", "Security", "Query", "Header", "Cookie", "Path", "Form", "File", "Request"}
)


def route_objects(module: Module) -> dict[str, bool]:
    """Module-level names assigned from a call: True when the call makes a FastAPI app or
    router (`FastAPI()`, `APIRouter()`), False for anything else (`App()` of slack_bolt)."""
    assert module.tree is not None
    found: dict[str, bool] = {}
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            name = module.qualified(stmt.value.func) or ""
            ours = name.rsplit(".", 1)[-1] in ("FastAPI", "APIRouter") or name.startswith(
                ("fastapi.", "starlette.")
            )
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ours
    return found


def uses_fastapi(module: Module) -> bool:
    return any(v.split(".")[0] in ("fastapi", "starlette") for v in module.imports.values())


def is_route(
    module: Module,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    objects: dict[str, bool] | None = None,
) -> bool:
    """Decorated with `@<app or router>.get(...)`, `.post(...)`, ... `.api_route(...)`: the
    object is made by `FastAPI()`/`APIRouter()` in this module, or comes from elsewhere in a
    module that imports FastAPI or Starlette."""
    objects = route_objects(module) if objects is None else objects
    for decorator in function.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_METHODS
        ):
            continue
        owner = decorator.func.value
        if isinstance(owner, ast.Name) and owner.id in objects:
            if objects[owner.id]:
                return True
        elif uses_fastapi(module):
            return True
    return False


def _callee(module: Module, node: ast.expr | None) -> str:
    """The last part of a call's resolved name: `Depends` for `fastapi.Depends(...)`."""
    if not isinstance(node, ast.Call):
        return ""
    name = module.qualified(node.func) or ""
    return name.rsplit(".", 1)[-1]


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _strip_optional(module: Module, node: ast.expr) -> ast.expr | None:
    """`dict | None` and `Optional[dict]` are `dict`; other unions give None (unknown)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not _is_none(s)]
        return sides[0] if len(sides) == 1 else None
    if isinstance(node, ast.Subscript) and module.qualified(node.value) == "typing.Optional":
        return node.slice
    return node


class UntypedRequestBody(Rule):
    """A route's request body typed `dict` or `Any` where a model belongs.

    Catches: a parameter of a route (a function decorated with `@app.post(...)`,
    `@router.get(...)` and the other methods, where the object is a FastAPI app or router of
    the module or comes from another module of a file that imports FastAPI) annotated
    `dict`, `dict[...]`, `typing.Dict` or `Mapping` (FastAPI reads those from the body), or
    `Any` declared with `Body()`, also inside `Annotated` and `| None`. Such a body reaches
    the route unvalidated: no lengths, no types, no 422 naming the wrong field.

    Known false positives: a route that really takes arbitrary JSON (a webhook relayed as
    it is, a JSON Patch document, a free-form `metadata` object stored as is).
    """

    code = "FBP301"
    name = "untyped-request-body"

    MAPPINGS = frozenset(
        {
            "dict",
            "typing.Dict",
            "typing.Mapping",
            "collections.abc.Mapping",
            "typing.MutableMapping",
        }
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        objects = route_objects(module)
        for node in nodes(module, ast.FunctionDef, ast.AsyncFunctionDef):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_route(
                module, node, objects
            ):
                yield from self.check_route(module, node)

    def check_route(
        self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> Iterator[Finding]:
        args = function.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[int, ast.expr] = {}
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=False
        ):
            defaults[id(arg)] = default
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
            if default is not None:
                defaults[id(arg)] = default
        for arg in [*positional, *args.kwonlyargs]:
            kind = self.body_kind(module, arg.annotation, defaults.get(id(arg)))
            if kind:
                yield self.finding(
                    module,
                    arg,
                    f"request body `{arg.arg}` is typed `{kind}`: nothing checks its fields; "
                    "declare a Pydantic model with the fields and their constraints",
                )

    def body_kind(
        self, module: Module, annotation: ast.expr | None, default: ast.expr | None
    ) -> str | None:
        if annotation is None:
            return None
        explicit_body = _callee(module, default) == "Body"
        if default is not None and _callee(module, default) in NOT_BODY:
            return None
        if isinstance(annotation, ast.Subscript) and module.qualified(annotation.value) in (
            "typing.Annotated",
            "typing_extensions.Annotated",
        ):
            elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
            if not elements:
                return None
            markers = {_callee(module, meta) for meta in elements[1:]}
            if markers & NOT_BODY:
                return None
            explicit_body = explicit_body or "Body" in markers
            annotation = elements[0]
        inner = _strip_optional(module, annotation)
        if inner is None:
            return None
        head = inner.value if isinstance(inner, ast.Subscript) else inner
        name = module.qualified(head)
        if name in self.MAPPINGS:
            return ast.unparse(inner)
        if explicit_body and name in ("typing.Any", "typing_extensions.Any"):
            return "Any"
        return None


def _optional(module: Module, node: ast.expr, aliases: dict[str, ast.expr]) -> bool | None:
    """Whether an annotation admits None: True, False, or None when it cannot tell."""
    if isinstance(node, ast.Constant):
        return None if isinstance(node.value, str) else node.value is None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _optional(module, node.left, aliases), _optional(module, node.right, aliases)
        if left or right:
            return True
        return None if left is None or right is None else False
    name = module.qualified(node.value if isinstance(node, ast.Subscript) else node)
    if isinstance(node, ast.Subscript):
        if name in ("typing.Optional", "typing_extensions.Optional"):
            return True
        if name in ("typing.Annotated", "typing_extensions.Annotated"):
            first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _optional(module, first, aliases)
        if name in ("typing.Union", "typing_extensions.Union"):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            found = [_optional(module, p, aliases) for p in parts]
            return True if any(found) else (None if None in found else False)
        if name in ("typing.Literal", "typing_extensions.Literal"):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return any(_is_none(p) for p in parts)
        if isinstance(node.value, ast.Name) and node.value.id in ("list", "dict", "set", "tuple"):
            return False
        return None
    if isinstance(node, ast.Name):
        if node.id in aliases:
            return _optional(module, aliases.pop(node.id), aliases)
        if node.id in ("int", "str", "float", "bool", "bytes", "list", "dict", "set", "tuple"):
            return None if node.id in module.imports else False
        known = ("datetime.datetime", "datetime.date", "decimal.Decimal", "uuid.UUID")
        if name and (name.startswith("pydantic.") or name in known):
            return False
    return None


class NoneDefaultOnRequiredType(Rule):
    """A model field whose type refuses `None` but whose default is `None`.

    Catches: a field of a Pydantic model annotated with a type that does not admit `None`
    (`int`, `str`, `datetime`, `EmailStr`, `list[...]`, ...) and defaulting to `None`,
    directly or through `Field(None, ...)` / `Field(default=None, ...)`. Pydantic does not
    validate defaults: the field hands out `None` when omitted, refuses an explicit `null`,
    and the schema says it is never null. Annotate `int | None`.

    Known false positives: None known; annotations it cannot read (strings, aliases from
    other modules, type variables) are left alone.
    """

    code = "FBP301"
    name = "none-default-on-required-type"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        models = pydantic_model_names(module)
        aliases: dict[str, ast.expr] = {}
        for stmt in module.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    aliases[target.id] = stmt.value
            elif isinstance(stmt, TYPE_ALIAS) and isinstance(stmt.name, ast.Name):  # type: ignore[union-attr]
                aliases[stmt.name.id] = stmt.value
        for cls in nodes(module, ast.ClassDef):
            if not (isinstance(cls, ast.ClassDef) and cls.name in models):
                continue
            for stmt in cls.body:
                if not (isinstance(stmt, ast.AnnAssign) and stmt.value is not None):
                    continue
                if not isinstance(stmt.target, ast.Name):
                    continue
                if not self.none_default(module, stmt.value):
                    continue
                if _optional(module, stmt.annotation, dict(aliases)) is False:
                    kind = ast.unparse(stmt.annotation)
                    yield self.finding(
                        module,
                        stmt,
                        f"`{stmt.target.id}: {kind}` defaults to None, which Pydantic does not "
                        f"validate; annotate `{kind} | None` if None is allowed",
                    )

    @staticmethod
    def none_default(module: Module, value: ast.expr) -> bool:
        if _is_none(value):
            return True
        if isinstance(value, ast.Call) and module.qualified(value.func) in (
            "pydantic.Field",
            "pydantic.fields.Field",
        ):
            if value.args:
                return _is_none(value.args[0])
            return any(k.arg == "default" and _is_none(k.value) for k in value.keywords)
        return False


VALIDATOR_DECORATORS = frozenset(
    {
        "pydantic.field_validator",
        "pydantic.model_validator",
        "pydantic.validator",
        "pydantic.root_validator",
        "pydantic.functional_validators.field_validator",
        "pydantic.functional_validators.model_validator",
    }
)
HTTP_EXCEPTIONS = frozenset(
    {
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not descending into nested functions or classes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


class HTTPExceptionInValidator(Rule):
    """`HTTPException` raised inside a Pydantic validator.

    Catches: `raise HTTPException(...)` (FastAPI's or Starlette's) in the body of a function
    decorated with `@field_validator`, `@model_validator`, `@validator` or
    `@root_validator`. Pydantic does not catch it: the client gets a bare `detail` with no
    field, the other errors of the body are lost, and the model is tied to HTTP. Raise
    `ValueError`.

    Known false positives: None known.
    """

    code = "FBP304"
    name = "http-exception-in-validator"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.FunctionDef, ast.AsyncFunctionDef):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            if not any(
                module.qualified(d) in VALIDATOR_DECORATORS and _imported(module, d)
                for d in decorators
            ):
                continue
            for inner in _own_nodes(node):
                if isinstance(inner, ast.Raise) and inner.exc is not None:
                    exc = inner.exc.func if isinstance(inner.exc, ast.Call) else inner.exc
                    if module.qualified(exc) in HTTP_EXCEPTIONS and _imported(module, exc):
                        yield self.finding(
                            module,
                            inner,
                            "`HTTPException` in a validator skips the 422 that names the "
                            "field and drops the other errors; raise ValueError",
                        )


SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
    }
)


class SettingsWithoutEnvPrefix(Rule):
    """Two or more settings classes in one module, sharing the environment without a prefix.

    Catches: every direct `BaseSettings` subclass without an `env_prefix` (in
    `model_config`, in class keywords, or in an inner `Config`) when the module defines two
    or more of them; a subclass of another settings class extends it and is not counted.
    Split settings without prefixes read each other's variables, and since pydantic-settings
    2.0 a shared `.env` makes each class refuse the others' lines as extra input.

    Known false positives: None known; a class used as a field of another settings class
    (nested settings) is part of that class, not a neighbour, and classes split across
    modules (the usual layout) are not compared, so a split without prefixes there is
    missed.
    """

    code = "FBP303"
    name = "settings-without-env-prefix"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        classes = {n.name: n for n in nodes(module, ast.ClassDef) if isinstance(n, ast.ClassDef)}
        settings: dict[str, bool] = {}  # class name -> has a prefix
        changed = True
        while changed:
            changed = False
            for cls in classes.values():
                if cls.name in settings:
                    continue
                bases = [
                    b.id if isinstance(b, ast.Name) and b.id in settings else module.qualified(b)
                    for b in cls.bases
                ]
                inherited = [settings[b] for b in bases if b in settings]
                if inherited or any(b in SETTINGS_BASES for b in bases):
                    settings[cls.name] = any(inherited) or self.own_prefix(module, cls)
                    changed = True
        direct = {
            cls.name
            for cls in classes.values()
            if any(module.qualified(b) in SETTINGS_BASES for b in cls.bases)
        }
        # Nested settings (`db: DatabaseSettings` inside another settings class, read through
        # its `env_nested_delimiter`) are one settings tree, not neighbours sharing names.
        nested = {
            name.id
            for outer in settings
            for stmt in classes[outer].body
            if isinstance(stmt, ast.AnnAssign)
            for name in ast.walk(stmt.annotation)
            if isinstance(name, ast.Name) and name.id in settings and name.id != outer
        }
        bare = [
            classes[n]
            for n, prefixed in settings.items()
            if not prefixed and n in direct and n not in nested
        ]
        if len(bare) < 2:
            return
        for cls in sorted(bare, key=lambda c: c.lineno):
            yield self.finding(
                module,
                cls,
                f"settings class `{cls.name}` has no `env_prefix` next to other settings "
                "classes; give each domain its own prefix (and "
                '`dotenv_filtering="match_prefix"` for a shared .env)',
            )

    @staticmethod
    def own_prefix(module: Module, cls: ast.ClassDef) -> bool:
        if any(k.arg == "env_prefix" for k in cls.keywords):
            return True
        if "env_prefix" in model_config_entries(module, cls):
            return True
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.ClassDef)
                and stmt.name == "Config"
                and "env_prefix" in config_keys(stmt.body)
            ):
                return True
        return False
