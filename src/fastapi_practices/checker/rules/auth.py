"""JWT handling the chain-dependencies practice (FBP402) rules out: python-jose, a decode
with no pinned algorithm (or no signature check at all), a secret typed into the code.

Ruff's S105 reports a string assigned to a name that looks like a password (`SECRET_KEY =
"..."`) and S106 a string passed to such a keyword (`secret="..."`); neither sees a
literal passed positionally or as `key=` to `jwt.encode`/`jwt.decode`, nor a constant
whose name does not look like a password (`KEY = "..."`), which is what this module
reports (checked on ruff 0.17.5)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.rules._index import module_constants, nodes, tail

DECODERS = frozenset({"jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode"})
ENCODERS = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jose.jwt.encode"})

RUFF_PASSWORD_NAME = re.compile(r"(^|_)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)($|_)", re.I)
"""The names ruff's S105 treats as passwords (`SECRET_KEY`, `jwt_secret`, `token`)."""


def _imported_call(module: Module, call: ast.Call) -> str | None:
    """The call's dotted name, if its first name comes from an import (only for calls
    named `decode` or `encode`, the only ones this module asks about)."""
    if tail(module, call.func) not in ("decode", "encode"):
        return None
    node = call.func
    while isinstance(node, ast.Attribute):
        node = node.value
    if not (isinstance(node, ast.Name) and node.id in module.imports):
        return None
    return module.qualified(call.func)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    )


class PythonJose(Rule):
    """An import of python-jose.

    Catches: `import jose`, `from jose import jwt` and any other import from the `jose`
    package. FastAPI's documentation moved from python-jose to PyJWT in FastAPI 0.111.1;
    the page's chain decodes with PyJWT (`import jwt`) and a pinned `algorithms` list.

    Known false positives: None known.
    """

    code = "FBP402"
    name = "python-jose"

    MESSAGE = (
        "python-jose: FastAPI's docs moved to PyJWT; decode with `jwt.decode(..., "
        "algorithms=[...])` in one token dependency"
    )

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                if any(a.name == "jose" or a.name.startswith("jose.") for a in node.names):
                    yield self.finding(module, node, self.MESSAGE)
            elif (
                isinstance(node, ast.ImportFrom)
                and not node.level
                and node.module
                and (node.module == "jose" or node.module.startswith("jose."))
            ):
                yield self.finding(module, node, self.MESSAGE)


class JwtDecodeWithoutAlgorithms(Rule):
    """A JWT decode with no pinned `algorithms`, or with the signature check turned off.

    Catches: `jwt.decode(...)` (PyJWT, or python-jose's `jwt`) without `algorithms=` (as a
    keyword or the third positional argument), and any such call whose `options` turn
    `verify_signature` off. PyJWT 2 refuses the first with `DecodeError`; python-jose then
    accepts whatever algorithm the token names; the second trusts any token.

    Known false positives: a decode of a token this process has just signed itself, read
    without verification on purpose (say so with a `# noqa`).
    """

    code = "FBP402"
    name = "jwt-decode-without-algorithms"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        for node in nodes(module, ast.Call):
            if not (isinstance(node, ast.Call) and _imported_call(module, node) in DECODERS):
                continue
            if self.unverified(_keyword(node, "options")):
                yield self.finding(
                    module,
                    node,
                    "`jwt.decode` with `verify_signature` off trusts any token; verify it "
                    "once, in a dependency, with `algorithms=[...]`",
                )
            elif (
                _keyword(node, "algorithms") is None
                and len(node.args) < 3
                and not _has_star_kwargs(node)
            ):
                yield self.finding(
                    module,
                    node,
                    "`jwt.decode` without `algorithms=`: pin the accepted algorithms, e.g. "
                    '`algorithms=["HS256"]`, read from settings',
                )

    @staticmethod
    def unverified(options: ast.expr | None) -> bool:
        if not isinstance(options, ast.Dict):
            return False
        for key, value in zip(options.keys, options.values, strict=False):
            if (
                isinstance(key, ast.Constant)
                and key.value == "verify_signature"
                and isinstance(value, ast.Constant)
                and value.value is False
            ):
                return True
        return False


class JwtLiteralSecret(Rule):
    """A secret typed into the code and passed to `jwt.encode` or `jwt.decode`.

    Catches: a string literal passed as the key (second positional argument or `key=`) of
    PyJWT's or python-jose's `jwt.encode`/`jwt.decode`, or the name of a module-level
    string constant whose name ruff's S105 does not take for a password (`KEY = "..."`).
    The page reads the secret from settings (a `SecretStr` from the environment).

    Known false positives: a public key (PEM text starting `-----BEGIN PUBLIC KEY` or
    `-----BEGIN CERTIFICATE`) is not reported; a test that signs tokens with a fixed
    throw-away key is (ignore the rule for test files).
    """

    code = "FBP402"
    name = "jwt-literal-secret"
    ruff = ("S105", "S106")

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None:
            return
        constants = module_constants(module)
        for node in nodes(module, ast.Call):
            if not isinstance(node, ast.Call):
                continue
            name = _imported_call(module, node)
            if name not in DECODERS and name not in ENCODERS:
                continue
            key = _keyword(node, "key")
            if key is None and len(node.args) >= 2:
                key = node.args[1]
            if key is None:
                continue
            verb = "encode" if name in ENCODERS else "decode"
            if self.literal(key):
                yield self.finding(
                    module,
                    key,
                    f"`jwt.{verb}` gets its secret as a literal; read it from settings "
                    "(a `SecretStr` set by the environment)",
                )
            elif (
                isinstance(key, ast.Name)
                and key.id in constants
                and self.literal(constants[key.id])
                and not RUFF_PASSWORD_NAME.search(key.id)
            ):
                yield self.finding(
                    module,
                    key,
                    f"`jwt.{verb}` gets its secret from the constant `{key.id}`, typed into "
                    "the code; read it from settings (a `SecretStr` set by the environment)",
                )

    @staticmethod
    def literal(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            public = ("-----BEGIN PUBLIC KEY", "-----BEGIN CERTIFICATE", "-----BEGIN RSA PUBLIC")
            return bool(text) and not text.lstrip().startswith(public)
        return False
