"""How the application object is built and served: docs left public, CORS that trusts
every origin with credentials, `debug=True`, `on_event` handlers, forwarded headers trusted
from anyone, and the strict Content-Type check turned off.

Ruff's only neighbour is S201 (`debug=True` in a Flask app), which does not look at
FastAPI or Starlette; none of these is reported by ruff 0.17.5."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.rules._index import module_constants, nodes, tail, tails

APPS = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
STARLETTE_APPS = frozenset({"starlette.applications.Starlette"})


def _imported(module: Module, node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in module.imports


def _calls(module: Module, names: frozenset[str]) -> Iterator[ast.Call]:
    """Calls of any of these imported names."""
    assert module.tree is not None
    last = tails(names)
    for node in nodes(module, ast.Call):
        if (
            isinstance(node, ast.Call)
            and tail(module, node.func) in last
            and module.qualified(node.func) in names
            and _imported(module, node.func)
        ):
            yield node


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword
    return None


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def _resolve(node: ast.expr, constants: dict[str, ast.expr]) -> ast.expr:
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return node


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _has_star(node: ast.expr) -> bool:
    """`"*"`, or a list/tuple/set literal holding `"*"`."""
    if isinstance(node, ast.Constant):
        return node.value == "*"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value == "*" for e in node.elts)
    return False


def _middleware_calls(module: Module, names: frozenset[str]) -> Iterator[ast.Call]:
    """Calls that install one of these middleware classes: `app.add_middleware(X, ...)`,
    `Middleware(X, ...)`, or `X(app, ...)`; the call carries the middleware's keywords."""
    assert module.tree is not None
    last = tails(names)
    for node in nodes(module, ast.Call):
        if not isinstance(node, ast.Call):
            continue
        if (
            tail(module, node.func) in last
            and module.qualified(node.func) in names
            and _imported(module, node.func)
        ) or (
            node.args
            and tail(module, node.args[0]) in last
            and module.qualified(node.args[0]) in names
            and _imported(module, node.args[0])
        ):
            yield node


class OpenApiUrlNotConfigured(Rule):
    """A `FastAPI(...)` app whose `openapi_url` does not come from configuration.

    Catches: `FastAPI(...)` without an `openapi_url` keyword, or with a non-empty string
    literal for it (`None` and `""` both hide the docs): the schema, Swagger UI and ReDoc
    are then public in every environment. Hiding them takes `openapi_url=None` outside an
    allow-list of environments (`docs_url=None` leaves the schema online). Opt-in: a public
    API keeps its docs on purpose.

    Known false positives: a public API, whose docs are part of the product; an app whose
    `**kwargs` set `openapi_url` is left alone.
    """

    code = "FBP503"
    name = "openapi-url-not-configured"
    default = False

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for call in _calls(module, APPS):
            if _has_star_kwargs(call):
                continue
            keyword = _keyword(call, "openapi_url")
            if keyword is None:
                yield self.finding(
                    module,
                    call,
                    "`FastAPI()` serves /openapi.json and the docs in every environment; set "
                    "`openapi_url` from settings, None outside an allow-list",
                )
            elif isinstance(keyword.value, ast.Constant) and (
                isinstance(keyword.value.value, str) and keyword.value.value
            ):
                yield self.finding(
                    module,
                    keyword.value,
                    "`openapi_url` is a constant, so the schema and docs are public everywhere; "
                    "take it from settings, None outside an allow-list",
                )


CORS = frozenset(
    {
        "fastapi.middleware.cors.CORSMiddleware",
        "starlette.middleware.cors.CORSMiddleware",
    }
)
PROBE_ORIGINS = ("https://evil.example", "http://attacker.invalid:8080")


class CorsWildcardWithCredentials(Rule):
    """`CORSMiddleware` that allows every origin and credentials together.

    Catches: `CORSMiddleware` (through `add_middleware`, `Middleware(...)` or a direct call)
    with `allow_credentials=True` and either `allow_origins` holding `"*"` (a literal or a
    module constant) or an `allow_origin_regex` that matches any origin (it is tried on
    `https://evil.example`). Starlette then answers any site's origin as allowed, cookies
    included.

    Known false positives: None known; origins built at run time are not judged.
    """

    code = "FBP801"
    name = "cors-wildcard-with-credentials"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        constants = module_constants(module)
        for call in _middleware_calls(module, CORS):
            credentials = _keyword(call, "allow_credentials")
            if credentials is None or not _is_true(_resolve(credentials.value, constants)):
                continue
            origins = _keyword(call, "allow_origins")
            regex = _keyword(call, "allow_origin_regex")
            if origins is not None and _has_star(_resolve(origins.value, constants)):
                yield self.finding(
                    module,
                    origins.value,
                    'CORS allows origin "*" with credentials: any site reads answers with the '
                    "user's cookies; list the front-end origins from settings",
                )
            elif regex is not None and self.matches_all(_resolve(regex.value, constants)):
                yield self.finding(
                    module,
                    regex.value,
                    "CORS `allow_origin_regex` matches any origin, with credentials: list the "
                    "front-end origins, or anchor the regex to your own domain",
                )

    @staticmethod
    def matches_all(node: ast.expr) -> bool:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return False
        try:
            pattern = re.compile(node.value)
        except re.error:
            return False
        return all(pattern.fullmatch(origin) for origin in PROBE_ORIGINS)


class DebugTrue(Rule):
    """An app built with `debug=True`.

    Catches: `FastAPI(debug=True)` or `Starlette(debug=True)` with the literal `True` (or
    a module constant set to it), and `app.debug = True`. Every unhandled error then answers
    its traceback, secrets in messages included. Set it from settings, off by default.

    Known false positives: a script that only ever runs on a developer's machine.
    """

    code = "FBP808"
    name = "debug-true"

    MESSAGE = (
        "`debug=True` answers every unhandled error with its traceback; read it from "
        "settings, off unless local, and log errors under a request ID"
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        constants = module_constants(module)
        for call in _calls(module, APPS | STARLETTE_APPS):
            keyword = _keyword(call, "debug")
            if keyword is not None and _is_true(_resolve(keyword.value, constants)):
                yield self.finding(module, keyword.value, self.MESSAGE)
        apps = {
            name
            for name, value in constants.items()
            if isinstance(value, ast.Call) and module.qualified(value.func) in APPS | STARLETTE_APPS
        }
        for node in nodes(module, ast.Assign):
            if isinstance(node, ast.Assign) and _is_true(node.value):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == "debug"
                        and isinstance(target.value, ast.Name)
                        and target.value.id in apps
                    ):
                        yield self.finding(module, node, self.MESSAGE)


class OnEvent(Rule):
    """A startup or shutdown handler registered with `on_event`.

    Catches: `@app.on_event("startup")`, `@router.on_event("shutdown")` and
    `add_event_handler("startup", ...)` calls. `on_event` is deprecated, and next to a
    `lifespan=` its handlers silently never run; open and close resources in a lifespan.

    Known false positives: an object of another library with an `on_event` method used as a
    decorator with `"startup"` or `"shutdown"`.
    """

    code = "FBP103"
    name = "on-event"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.Call):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("on_event", "add_event_handler")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in ("startup", "shutdown")
            ):
                continue
            yield self.finding(
                module,
                node,
                f"`{node.func.attr}({node.args[0].value!r})` is deprecated and never runs next "
                "to a lifespan; open and close resources in a `lifespan`",
            )


PROXY_HEADERS = frozenset({"uvicorn.middleware.proxy_headers.ProxyHeadersMiddleware"})
UVICORN_RUN = frozenset({"uvicorn.run", "uvicorn.Config", "uvicorn.config.Config"})


class TrustAllForwarded(Rule):
    """Forwarded headers trusted from every client.

    Catches: `ProxyHeadersMiddleware` with `trusted_hosts="*"` (or a list holding `"*"`),
    and `uvicorn.run(...)` / `uvicorn.Config(...)` with `forwarded_allow_ips="*"` (unless
    `proxy_headers=False` turns the headers off). Any
    client then picks its own IP and scheme through `X-Forwarded-For` and
    `X-Forwarded-Proto`, defeating per-IP limits and allowlists.

    Known false positives: an app reachable only through a proxy on a network nothing else
    can reach (still better to name the proxy's address or range).
    """

    code = "FBP802"
    name = "trust-all-forwarded"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        constants = module_constants(module)
        for call in _middleware_calls(module, PROXY_HEADERS):
            keyword = _keyword(call, "trusted_hosts")
            if keyword is not None and _has_star(_resolve(keyword.value, constants)):
                yield self.finding(
                    module,
                    keyword.value,
                    '`trusted_hosts` holding "*" lets any client set its own IP and scheme; '
                    "trust only the proxy's address, from settings",
                )
        for call in _calls(module, UVICORN_RUN):
            keyword = _keyword(call, "forwarded_allow_ips")
            headers = _keyword(call, "proxy_headers")
            off = headers is not None and isinstance(headers.value, ast.Constant)
            if off and headers.value.value is False:  # type: ignore[union-attr]
                continue  # the headers are not read at all: nothing is trusted
            if keyword is not None and _has_star(_resolve(keyword.value, constants)):
                yield self.finding(
                    module,
                    keyword.value,
                    '`forwarded_allow_ips="*"` lets any client set its own IP and scheme; '
                    "trust only the proxy's address, from settings",
                )


class StrictContentTypeOff(Rule):
    """FastAPI's strict Content-Type check turned off.

    Catches: `strict_content_type=False` passed to `FastAPI(...)`, `APIRouter(...)` or any
    other FastAPI call. A cross-site script can then post a JSON body with no
    `Content-Type`, without a preflight, with the user's cookie attached.

    Known false positives: a service called only by other servers with a token in the
    `Authorization` header, where the check gains little.
    """

    code = "FBP804"
    name = "strict-content-type-off"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.Call):
            if not isinstance(node, ast.Call):
                continue
            keyword = _keyword(node, "strict_content_type")
            if keyword is None or not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                continue
            name = module.qualified(node.func) or ""
            if isinstance(node.func, ast.Attribute) or name.startswith("fastapi."):
                yield self.finding(
                    module,
                    keyword.value,
                    "`strict_content_type=False` accepts JSON sent with no Content-Type, "
                    "cross-site and without a preflight; keep the check on",
                )
