"""Rules for the event loop and the thread pool: blocking clients and CPU-heavy hashing in
`async def`, sync helpers that block one call deep, `def` dependencies that need no thread,
and HTTP clients created per request.

Which functions are checked: every `async def` of the module (routes, dependencies and
plain async helpers alike, as ruff's ASYNC rules do), except a lifespan handler (a function
passed as `lifespan=`) and `@app.on_event` handlers, whose blocking calls happen once at
startup or shutdown, typer and click commands (`@cli.command()`), pytest tests (`test_*`),
and every function of a module that runs its
own event loop (`asyncio.run(...)`, `anyio.run`, `run_until_complete`): a script, where
nothing else waits on the loop. Calls inside a nested `def` or `lambda` are not counted
(they are usually handed to a thread), nor calls that are awaited (the object is then not
the sync client it looked like).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fastapi_practices.checker.base import TYPE_ALIAS, Finding, Module, Rule

# --- what the objects are --------------------------------------------------------------

SA_SESSION = "sa-session"
SA_FACTORY = "sa-factory"
SA_ENGINE = "sa-engine"
SA_CONNECTION = "sa-connection"
REQUESTS_SESSION = "requests-session"
HTTPX_CLIENT = "httpx-client"
BOTO3_SESSION = "boto3-session"
BOTO3_CLIENT = "boto3-client"
BOTO3_RESOURCE = "boto3-resource"
BOTO3_SUBRESOURCE = "boto3-subresource"
HASHER = "password-hasher"

LABELS = {
    SA_SESSION: "a sync SQLAlchemy `Session`",
    SA_ENGINE: "a sync SQLAlchemy engine",
    SA_CONNECTION: "a sync SQLAlchemy connection",
    REQUESTS_SESSION: "a `requests.Session`",
    HTTPX_CLIENT: "an `httpx.Client`",
    BOTO3_CLIENT: "a boto3 client",
    BOTO3_RESOURCE: "a boto3 resource",
    BOTO3_SUBRESOURCE: "a boto3 resource",
}

SA_SESSION_TYPES = {
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.scoping.scoped_session",
    "sqlmodel.Session",
    "sqlmodel.orm.session.Session",
}
SA_FACTORIES = {"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"}
SA_ENGINE_FACTORIES = {
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlmodel.create_engine",
}
SA_ENGINE_TYPES = {"sqlalchemy.Engine", "sqlalchemy.engine.Engine", "sqlalchemy.engine.base.Engine"}
SA_CONNECTION_TYPES = {"sqlalchemy.Connection", "sqlalchemy.engine.Connection"}
REQUESTS_SESSION_TYPES = {"requests.Session", "requests.session", "requests.sessions.Session"}
HTTPX_CLIENT_TYPES = {"httpx.Client"}
BOTO3_SESSION_TYPES = {"boto3.Session", "boto3.session.Session"}
BOTO3_CLIENT_TYPES = {"botocore.client.BaseClient"}
HASHER_TYPES = {
    "argon2.PasswordHasher",
    "argon2.PasswordHasher.from_parameters",
    "pwdlib.PasswordHash",
    "pwdlib.PasswordHash.recommended",
    "passlib.context.CryptContext",
}

SA_SESSION_IO = {
    "execute", "scalars", "scalar", "get", "get_one", "query", "commit", "rollback",
    "flush", "refresh", "merge", "delete", "close", "connection", "exec",
    "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings", "begin_nested",
}  # fmt: skip
SA_ENGINE_IO = {"connect", "begin", "raw_connection", "dispose"}
SA_CONNECTION_IO = {
    "execute", "scalar", "scalars", "commit", "rollback", "exec_driver_sql", "close",
}  # fmt: skip
HTTP_IO = {"get", "post", "put", "patch", "delete", "head", "options", "request", "send"}
HTTPX_IO = HTTP_IO | {"stream"}
BOTO3_NO_IO = {
    "get_paginator", "get_waiter", "generate_presigned_url", "generate_presigned_post",
    "can_paginate", "close",
}  # fmt: skip
HASH_METHODS = {"hash", "verify", "verify_and_update"}

# Calls that block wherever they are; ruff reports them directly in `async def`, this module
# only one call deep, inside a sync helper.
BLOCKING_FUNCTIONS = {
    "time.sleep",
    "open",
    "io.open",
    "urllib.request.urlopen",
    "urllib3.request",
    "os.system",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    *(f"requests.{m}" for m in HTTP_IO - {"send"}),
    *(f"httpx.{m}" for m in HTTPX_IO - {"send"}),
}
CPU_HEAVY_FUNCTIONS = {
    "bcrypt.hashpw",
    "bcrypt.checkpw",
    "bcrypt.kdf",
    "hashlib.pbkdf2_hmac",
    "hashlib.scrypt",
    "argon2.low_level.hash_secret",
    "argon2.low_level.hash_secret_raw",
    "argon2.low_level.verify_secret",
}

ROUTE_METHODS = {
    "get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route",
    "websocket",
}  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """What an expression is, and whether ruff already reports its blocking methods."""

    kind: str
    ruff: bool = False


@dataclass
class Analysis:
    """What the rules share about one module."""

    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    aliases: dict[str, ast.expr] = field(default_factory=dict)
    globals: dict[str, Kind] = field(default_factory=dict)
    dependencies: set[str] = field(default_factory=set)
    lifespans: set[str] = field(default_factory=set)
    all_functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    script: bool = False
    """The module runs its own event loop (`asyncio.run(...)`): a script, not a server."""
    nodes: dict[int, list[ast.AST]] = field(default_factory=dict)
    envs: dict[int, dict[str, Kind]] = field(default_factory=dict)

    def own_nodes(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
        key = id(function)
        if key not in self.nodes:
            self.nodes[key] = list(own_nodes(function))
        return self.nodes[key]

    def env(
        self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> dict[str, Kind]:
        key = id(function)
        if key not in self.envs:
            self.envs[key] = local_env(module, function, self)
        return self.envs[key]


SCRIPT_RUNNERS = {"asyncio.run", "anyio.run", "trio.run", "uvloop.run"}


_cache: tuple[Module, Analysis] | None = None


def analyse(module: Module) -> Analysis:
    """The module's top-level functions, type aliases, client objects, dependencies."""
    global _cache
    if _cache is not None and _cache[0] is module:
        return _cache[1]
    result = Analysis()
    tree = module.tree
    assert tree is not None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result.functions[node.name] = node
        elif isinstance(node, TYPE_ALIAS) and isinstance(node.name, ast.Name):
            result.aliases[node.name.id] = node.value
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    if _is_annotated(module, node.value):
                        result.aliases[target.id] = node.value
                    kind = expr_kind(module, node.value, result.globals)
                    if kind:
                        result.globals[target.id] = kind
        elif isinstance(node, ast.With):
            for item in node.items:
                _bind_with(module, item, result.globals)
    for node in module.of_type(ast.FunctionDef, ast.AsyncFunctionDef, ast.Call):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result.all_functions.append(node)
            continue
        if not isinstance(node, ast.Call):
            continue
        name = module.qualified(node.func) or ""
        if name in SCRIPT_RUNNERS or name.endswith(".run_until_complete"):
            result.script = True
        if name.split(".")[-1] in ("Depends", "Security") and node.args:
            target = node.args[0]
            if isinstance(target, ast.Name):
                result.dependencies.add(target.id)
        for keyword in node.keywords:
            named = keyword.arg == "dependency" and isinstance(keyword.value, ast.Name)
            if named and name.split(".")[-1] in ("Depends", "Security"):
                result.dependencies.add(keyword.value.id)
            if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                result.lifespans.add(keyword.value.id)
    _cache = (module, result)
    return result


def _is_annotated(module: Module, node: ast.expr) -> bool:
    return isinstance(node, ast.Subscript) and (module.qualified(node.value) or "").endswith(
        "Annotated"
    )


def annotation_kind(
    module: Module, node: ast.expr | None, aliases: dict[str, ast.expr], depth: int = 0
) -> Kind | None:
    """The kind of object a parameter annotated `node` holds, or None."""
    if node is None or depth > 8:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value, mode="eval").body
        except (SyntaxError, ValueError):  # ValueError: a null byte, before Python 3.12
            return None
        kind = annotation_kind(module, parsed, aliases, depth + 1)
        return Kind(kind.kind) if kind else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return annotation_kind(module, node.left, aliases, depth + 1) or annotation_kind(
            module, node.right, aliases, depth + 1
        )
    if isinstance(node, ast.Subscript):
        outer = module.qualified(node.value) or ""
        inner = node.slice
        if isinstance(inner, ast.Tuple):
            if not inner.elts:
                return None
            inner = inner.elts[0]
        if outer.endswith("Annotated"):
            kind = annotation_kind(module, inner, aliases, depth + 1)
            return Kind(kind.kind) if kind else None  # ruff does not look inside Annotated
        if outer.endswith("Optional"):
            return annotation_kind(module, inner, aliases, depth + 1)
        return None
    if isinstance(node, ast.Name) and node.id in aliases and node.id not in module.imports:
        kind = annotation_kind(module, aliases[node.id], aliases, depth + 1)
        return Kind(kind.kind) if kind else None  # nor through an alias
    name = module.qualified(node) or ""
    if name in SA_SESSION_TYPES:
        return Kind(SA_SESSION)
    if name in SA_ENGINE_TYPES:
        return Kind(SA_ENGINE)
    if name in SA_CONNECTION_TYPES:
        return Kind(SA_CONNECTION)
    if name in REQUESTS_SESSION_TYPES:
        return Kind(REQUESTS_SESSION)
    if name in HTTPX_CLIENT_TYPES:
        return Kind(HTTPX_CLIENT, ruff=True)  # ASYNC212
    if name in BOTO3_CLIENT_TYPES or (name.startswith("mypy_boto3_") and name.endswith("Client")):
        return Kind(BOTO3_CLIENT)
    if name.startswith("mypy_boto3_") and name.endswith("ServiceResource"):
        return Kind(BOTO3_RESOURCE)
    return None


def expr_kind(module: Module, node: ast.expr, env: dict[str, Kind], depth: int = 0) -> Kind | None:
    """The kind of object an expression evaluates to, or None."""
    if depth > 16:
        return None
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = module.qualified(func) or ""
    if name in SA_SESSION_TYPES:
        return Kind(SA_SESSION)
    if name in SA_FACTORIES:
        return Kind(SA_FACTORY)
    if name in SA_ENGINE_FACTORIES:
        return Kind(SA_ENGINE)
    if name in REQUESTS_SESSION_TYPES:
        return Kind(REQUESTS_SESSION)
    if name in HTTPX_CLIENT_TYPES:
        return Kind(HTTPX_CLIENT, ruff=True)  # ASYNC212 follows assignments and `with`
    if name == "boto3.client":
        return Kind(BOTO3_CLIENT)
    if name == "boto3.resource":
        return Kind(BOTO3_RESOURCE)
    if name in BOTO3_SESSION_TYPES:
        return Kind(BOTO3_SESSION)
    if name in HASHER_TYPES:
        return Kind(HASHER)
    if isinstance(func, ast.Name):
        called = env.get(func.id)
        if called and called.kind == SA_FACTORY:
            return Kind(SA_SESSION)
        return None
    if isinstance(func, ast.Attribute):
        receiver = expr_kind(module, func.value, env, depth + 1)
        if receiver is None:
            return None
        if receiver.kind == SA_FACTORY and func.attr == "begin":
            return Kind(SA_SESSION)
        if receiver.kind == SA_ENGINE and func.attr in ("connect", "begin"):
            return Kind(SA_CONNECTION)
        if receiver.kind == BOTO3_SESSION and func.attr in ("client", "resource"):
            return Kind(BOTO3_CLIENT if func.attr == "client" else BOTO3_RESOURCE)
        if receiver.kind in (BOTO3_RESOURCE, BOTO3_SUBRESOURCE) and func.attr[:1].isupper():
            return Kind(BOTO3_SUBRESOURCE)
    return None


def _bind_with(module: Module, item: ast.withitem, env: dict[str, Kind]) -> None:
    if isinstance(item.optional_vars, ast.Name):
        kind = expr_kind(module, item.context_expr, env)
        if kind:
            env[item.optional_vars.id] = kind


NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of a function's body, without nested functions, lambdas and classes
    (their calls run later, or elsewhere: often in a worker thread), depth first in source
    order. Reads each node's fields directly: `ast.iter_child_nodes` was most of a run."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [n for n in reversed(function.body) if not isinstance(n, NESTED_SCOPES)]
    while stack:
        node = stack.pop()
        found.append(node)
        children: list[ast.AST] = []
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                children.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                children.append(value)
        stack.extend([c for c in reversed(children) if not isinstance(c, NESTED_SCOPES)])
    return found


def local_env(
    module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef, analysis: Analysis
) -> dict[str, Kind]:
    """Names of the function bound to known objects: module globals, then its parameters
    (from their annotations), then its assignments and `with ... as` targets."""
    env = dict(analysis.globals)
    args = function.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        kind = annotation_kind(module, arg.annotation, analysis.aliases)
        if kind:
            env[arg.arg] = kind
        else:
            env.pop(arg.arg, None)
    for node in analysis.own_nodes(function):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            kind = expr_kind(module, node.value, env)
            if kind is None and isinstance(node, ast.AnnAssign):
                kind = annotation_kind(module, node.annotation, analysis.aliases)
            for target in targets:
                if isinstance(target, ast.Name) and kind:
                    env[target.id] = kind
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                _bind_with(module, item, env)
    return env


def awaited_calls(nodes: list[ast.AST]) -> set[int]:
    return {id(node.value) for node in nodes if isinstance(node, ast.Await)}


def blocking_method(module: Module, call: ast.Call, env: dict[str, Kind]) -> Kind | None:
    """The kind of client whose blocking method `call` calls, or None."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    kind = expr_kind(module, func.value, env)
    if kind is None:
        return None
    if kind.ruff and isinstance(func.value, ast.Call):
        kind = Kind(kind.kind)  # ASYNC212 misses `httpx.Client().get(...)`
    method = func.attr
    if kind.kind == SA_SESSION and method in SA_SESSION_IO:
        return kind
    if kind.kind == SA_ENGINE and method in SA_ENGINE_IO:
        return kind
    if kind.kind == SA_CONNECTION and method in SA_CONNECTION_IO:
        return kind
    if kind.kind == REQUESTS_SESSION and method in HTTP_IO:
        return kind
    if kind.kind == HTTPX_CLIENT and method in HTTPX_IO | {"close"}:
        return kind
    if kind.kind == BOTO3_CLIENT and method not in BOTO3_NO_IO and not method.startswith("_"):
        return kind
    if kind.kind in (BOTO3_RESOURCE, BOTO3_SUBRESOURCE) and method[:1].islower():
        return kind if method not in BOTO3_NO_IO else None
    return None


def cpu_heavy_call(module: Module, call: ast.Call, env: dict[str, Kind]) -> str | None:
    """The name of the CPU-heavy hashing function `call` calls, or None."""
    name = module.qualified(call.func) or ""
    if name in CPU_HEAVY_FUNCTIONS:
        return name
    if name.startswith("passlib.hash.") and name.rsplit(".", 1)[-1] in HASH_METHODS:
        return name
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in HASH_METHODS:
        kind = expr_kind(module, func.value, env)
        if kind and kind.kind == HASHER:
            return (
                f"{ast.unparse(func.value)}.{func.attr}"
                if len(ast.unparse(func)) < 60
                else func.attr
            )
    return None


def call_name(call: ast.Call) -> str:
    text = ast.unparse(call.func)
    return text if len(text) <= 40 else text[-40:]


def checked_functions(module: Module, analysis: Analysis) -> Iterator[ast.AsyncFunctionDef]:
    """Every `async def` that serves requests: not the lifespan handler, a startup or
    shutdown handler (`@app.on_event`), a command-line command (`@cli.command()` of typer
    or click), a test (`test_*`), nor anything in a script."""
    if analysis.script:
        return
    for node in analysis.all_functions:
        if not isinstance(node, ast.AsyncFunctionDef) or node.name in analysis.lifespans:
            continue
        if node.name.startswith("test_") or is_event_handler(node):
            continue
        yield node


def is_event_handler(function: ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("on_event", "command"):
            return True
    return False


def is_route(module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_METHODS:
            return True
    return False


def sync_helpers_called(
    module: Module, function: ast.AsyncFunctionDef, analysis: Analysis
) -> Iterator[tuple[ast.Call, ast.FunctionDef]]:
    """Calls, not awaited, from `function` to a sync function defined at the top of the
    module."""
    nodes = analysis.own_nodes(function)
    awaited = awaited_calls(nodes)
    for node in nodes:
        if not isinstance(node, ast.Call) or id(node) in awaited:
            continue
        if isinstance(node.func, ast.Name) and node.func.id not in module.imports:
            helper = analysis.functions.get(node.func.id)
            if isinstance(helper, ast.FunctionDef) and helper is not function:
                yield node, helper


def one_call_deep(
    module: Module,
    analysis: Analysis,
    reason_of: Callable[[Module, ast.FunctionDef, Analysis], str | None],
) -> Iterator[tuple[ast.AsyncFunctionDef, ast.Call, ast.FunctionDef, str]]:
    """(function, call, helper, reason) for each call from a checked `async def` to a sync
    helper of the module whose `reason_of` is not None; each helper is judged once."""
    reasons: dict[str, str | None] = {}
    for function in checked_functions(module, analysis):
        for call, helper in sync_helpers_called(module, function, analysis):
            if helper.name not in reasons:
                reasons[helper.name] = reason_of(module, helper, analysis)
            reason = reasons[helper.name]
            if reason:
                yield function, call, helper, reason


# --- the rules -------------------------------------------------------------------------


class BlockingClientInAsync(Rule):
    """A sync database session, HTTP client or boto3 client called in `async def`.

    Catches: in any `async def` that may serve requests (not a lifespan, `@app.on_event` or
    `@cli.command()` handler, not a `test_*` function, nothing in a module that calls
    `asyncio.run`), a method call that does I/O on a sync SQLAlchemy `Session` (`execute`,
    `scalars`, `get`, `query`, `commit`...), a sync engine or connection, a
    `requests.Session`, a boto3 client or resource, or an `httpx.Client` that arrives
    through `Annotated[httpx.Client, Depends(...)]` (directly or through a type alias) or a
    string annotation. Objects are recognised from parameter annotations (also inside
    `Annotated` and aliases), from `Session(...)`, `sessionmaker()` factories,
    `requests.Session()`, `boto3.client(...)` and `boto3.resource(...)` assigned in the
    function or at module level, and from `with ... as` targets. Calls handed to
    `run_in_threadpool`, `asyncio.to_thread` or `run_in_executor` (as a function reference,
    a `lambda` or a nested `def`) are not reported. ruff reports `requests.get(...)`
    (ASYNC210) and an `httpx.Client` annotated or created in plain sight (ASYNC212); this
    rule leaves those to it.

    Known false positives: an `async def` that never runs on a server's event loop (a
    command-line tool's, started by `asyncio.run` in another module); a parameter annotated
    `Session` that actually holds an `AsyncSession` and whose calls are not awaited
    (`session.add` is not reported, being no I/O); boto3 client methods that do no I/O
    beyond the few known ones (`generate_presigned_url`, `get_paginator`...).
    """

    code = "FBP204"
    name = "blocking-client-in-async"
    ruff = ("ASYNC210", "ASYNC212")

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or "async def" not in module.text:
            return
        analysis = analyse(module)
        for function in checked_functions(module, analysis):
            env = analysis.env(module, function)
            nodes = analysis.own_nodes(function)
            awaited = awaited_calls(nodes)
            for node in nodes:
                if not isinstance(node, ast.Call) or id(node) in awaited:
                    continue
                kind = blocking_method(module, node, env)
                if kind is None or kind.ruff:
                    continue
                yield self.finding(
                    module,
                    node,
                    f"`{call_name(node)}()` on {LABELS[kind.kind]} blocks the event loop in "
                    f"`async def {function.name}`; use the async client, make it `def`, or "
                    "`await run_in_threadpool(...)`",
                )


class BlockingHelperInAsync(Rule):
    """A sync helper that blocks, called directly from `async def`.

    Catches: in any `async def` that may serve requests (not a lifespan, `@app.on_event` or
    `@cli.command()` handler, not a `test_*` function, nothing in a module that calls
    `asyncio.run`), a direct, not awaited call to a plain `def` function defined at the top
    of the same module whose own body (one call deep, not further) makes a blocking call:
    `time.sleep`, `open`, `requests.get` and the other module-level HTTP functions of
    `requests` and `httpx`, `urllib.request.urlopen`, `subprocess.run` and friends,
    `os.system`, or an I/O method of a sync SQLAlchemy session or engine,
    `requests.Session`, `httpx.Client` or boto3 client (as `blocking-client-in-async`
    recognises them). ruff reports those calls when they are written directly in the `async
    def` (ASYNC210, ASYNC212, ASYNC220 to ASYNC222, ASYNC230, ASYNC251), but not one call
    away; helpers handed to `run_in_threadpool` or `asyncio.to_thread` are not calls and are
    not reported.

    Known false positives: a helper whose blocking call sits on a branch the async caller
    never takes (a cache hit, a flag), or is quick in practice (opening a small local file
    once); a module-level function shadowed by a local name of the same name.
    """

    code = "FBP201"
    name = "blocking-helper-in-async"
    ruff = ("ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC230", "ASYNC251")

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or "async def" not in module.text:
            return
        analysis = analyse(module)
        for function, call, helper, reason in one_call_deep(module, analysis, self.blocking_reason):
            yield self.finding(
                module,
                call,
                f"`{helper.name}()` blocks the event loop in `async def "
                f"{function.name}`: it calls {reason}; make it async or "
                f"`await run_in_threadpool({helper.name}, ...)`",
            )

    @staticmethod
    def blocking_reason(module: Module, helper: ast.FunctionDef, analysis: Analysis) -> str | None:
        env = analysis.env(module, helper)
        for node in analysis.own_nodes(helper):
            if not isinstance(node, ast.Call):
                continue
            name = module.qualified(node.func)
            if name in BLOCKING_FUNCTIONS and (name != "open" or "open" not in analysis.functions):
                return f"`{name}` (line {node.lineno})"
            kind = blocking_method(module, node, env)
            if kind:
                return f"`{call_name(node)}()` on {LABELS[kind.kind]} (line {node.lineno})"
        return None


class CpuHeavyHashingInAsync(Rule):
    """Password hashing or key derivation run on the event loop.

    Catches: in any `async def` that may serve requests (not a lifespan, `@app.on_event` or
    `@cli.command()` handler, not a `test_*` function, nothing in a module that calls
    `asyncio.run`), a direct, not awaited call to `bcrypt.hashpw`, `bcrypt.checkpw`,
    `bcrypt.kdf`, `hashlib.pbkdf2_hmac`, `hashlib.scrypt`, argon2's
    `low_level.hash_secret`/`verify_secret`, passlib's `passlib.hash.<scheme>.hash/verify`,
    or the `hash`/`verify`/`verify_and_update` method of an `argon2.PasswordHasher`,
    `pwdlib.PasswordHash` (also `PasswordHash.recommended()`) or passlib `CryptContext`
    created in the module; and a call to a sync helper of the same module that makes one of
    those calls (one call deep, as the tutorial's `verify_password` does). Handing the work
    to `run_in_threadpool`, `anyio.to_thread.run_sync`, `asyncio.to_thread` or
    `loop.run_in_executor` is not reported. ruff has no rule for it.

    Known false positives: a hasher configured so cheaply (tests, tiny work factors) that
    it returns in microseconds; a hasher object of another library bound to the same
    name.
    """

    code = "FBP203"
    name = "cpu-heavy-hashing-in-async"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or "async def" not in module.text:
            return
        analysis = analyse(module)
        for function in checked_functions(module, analysis):
            env = analysis.env(module, function)
            nodes = analysis.own_nodes(function)
            awaited = awaited_calls(nodes)
            for node in nodes:
                if not isinstance(node, ast.Call) or id(node) in awaited:
                    continue
                heavy = cpu_heavy_call(module, node, env)
                if heavy:
                    yield self.finding(
                        module,
                        node,
                        f"`{heavy}()` is CPU-heavy and holds the event loop in `async def "
                        f"{function.name}`; `await run_in_threadpool(...)` it, or use a "
                        "`def` route",
                    )
        for function, call, helper, heavy in one_call_deep(module, analysis, self.hashing_in):
            yield self.finding(
                module,
                call,
                f"`{helper.name}()` runs CPU-heavy `{heavy}` on the event loop in "
                f"`async def {function.name}`; `await run_in_threadpool("
                f"{helper.name}, ...)` instead",
            )

    @staticmethod
    def hashing_in(module: Module, helper: ast.FunctionDef, analysis: Analysis) -> str | None:
        env = analysis.env(module, helper)
        for node in analysis.own_nodes(helper):
            if isinstance(node, ast.Call):
                heavy = cpu_heavy_call(module, node, env)
                if heavy:
                    return f"{heavy}()"
        return None


# Calls a dependency may make and still do no I/O: pure builtins and string methods.
PURE_BUILTINS = {
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "format",
    "frozenset", "getattr", "hasattr", "int", "isinstance", "issubclass", "len", "list",
    "max", "min", "range", "repr", "reversed", "round", "set", "sorted", "str", "sum",
    "tuple", "zip",
}  # fmt: skip
PURE_METHODS = {
    "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "startswith",
    "endswith", "replace", "casefold", "partition", "rpartition", "removeprefix",
    "removesuffix", "title", "capitalize", "isdigit", "isalnum", "isalpha", "isdecimal",
    "isnumeric", "isidentifier", "zfill",
}  # fmt: skip
PURE_EXCEPTIONS = {"fastapi.HTTPException", "starlette.exceptions.HTTPException"}


class SyncDependencyWithoutIO(Rule):
    """A `def` dependency that does no I/O, and so holds a thread for nothing.

    Catches: a plain `def` function defined at the top of the module and named in a
    `Depends(...)` or `Security(...)` of the same module, which is not a generator (no
    `yield`), has no `with` block, and calls nothing but pure builtins (`min`, `len`,
    `int`...), string methods (`lower`, `strip`, `split`...), classes defined in the same
    module (a Pydantic model) and `HTTPException`. FastAPI runs such a function in its
    40-thread pool; `async def` runs it on the event loop with no thread. Conservative: any
    other call (a helper, `dict.get`, a decoder) counts as possible I/O. Informational.

    Known false positives: attribute reads that do I/O behind the scenes (a lazy-loaded
    SQLAlchemy relationship, a property that queries); a class of the module whose
    constructor does I/O; a dependency kept `def` on purpose, for example to run in the
    thread where a sync context variable is set.
    """

    code = "FBP404"
    name = "sync-dependency-without-io"
    informational = True

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or not ("Depends" in module.text or "Security" in module.text):
            return
        analysis = analyse(module)
        classes = {
            node.name
            for node in module.tree.body
            if isinstance(node, ast.ClassDef)
            and not node.name.endswith("Settings")
            and not any((module.qualified(b) or "").endswith("Settings") for b in node.bases)
        }
        for name in sorted(analysis.dependencies):
            function = analysis.functions.get(name)
            if isinstance(function, ast.FunctionDef) and self.does_no_io(module, function, classes):
                yield self.finding(
                    module,
                    function,
                    f"`def {name}` is a dependency that does no I/O, yet FastAPI runs it in "
                    "the thread pool; declare it `async def`",
                )

    @staticmethod
    def does_no_io(module: Module, function: ast.FunctionDef, classes: set[str]) -> bool:
        if function.decorator_list:
            return False
        for node in own_nodes(function):
            if isinstance(node, ast.Yield | ast.YieldFrom | ast.With | ast.Await):
                return False
            if isinstance(node, ast.Global | ast.Nonlocal):
                return False
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name):
                if func.id in module.imports:
                    if module.qualified(func) not in PURE_EXCEPTIONS:
                        return False
                elif func.id not in PURE_BUILTINS and func.id not in classes:
                    return False
            elif isinstance(func, ast.Attribute):
                if func.attr not in PURE_METHODS:
                    return False
            else:
                return False
        return True


HTTP_CLIENT_CLASSES = {"httpx.AsyncClient", "httpx.Client", "aiohttp.ClientSession"}


class HttpClientPerRequest(Rule):
    """An HTTP client created inside a route or dependency, once per request.

    Catches: `httpx.AsyncClient(...)`, `httpx.Client(...)` or `aiohttp.ClientSession(...)`
    called in the body of a route (a function decorated with `@app.get(...)`,
    `@router.post(...)`...) or of a function named in `Depends(...)` of the same module,
    including `async with httpx.AsyncClient() as client:`. Each request then builds a client
    and a connection pool, opens a new connection and throws both away. ruff's S113 reports
    `timeout=None` and a missing timeout on `requests` calls; this rule leaves that to it.

    Known false positives: a route called rarely enough (an admin action, a one-off
    export) that a shared client gains nothing; a client created for a different upstream
    or settings on each call on purpose (per-tenant credentials).
    """

    code = "FBP207"
    name = "http-client-per-request"
    ruff = ("S113",)

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or not ("Client" in module.text or "Session" in module.text):
            return
        analysis = analyse(module)
        for function in analysis.all_functions:
            if function.name in analysis.lifespans:
                continue
            top_dependency = analysis.functions.get(function.name) is function and (
                function.name in analysis.dependencies
            )
            if not (is_route(module, function) or top_dependency):
                continue
            for node in analysis.own_nodes(function):
                if isinstance(node, ast.Call):
                    name = module.qualified(node.func)
                    if name in HTTP_CLIENT_CLASSES:
                        yield self.finding(
                            module,
                            node,
                            f"`{name}` created in `{function.name}` on every request; create "
                            "one client in lifespan, with a timeout, and share it",
                        )
