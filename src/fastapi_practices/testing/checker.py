"""For the checker's tests: small example rules for the engine and format tests (not real
rules: those live in `fastapi_practices.checker.rules`, which does not collect these), and
the helpers the rule tests share."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

from fastapi_practices.checker.base import Finding, Module, Rule


class LiteralSleep(Rule):
    """A call of `time.sleep`.

    Catches: `time.sleep(...)` anywhere (an example for the engine's tests).

    Known false positives: None known.
    """

    code = "FBP201"
    name = "example-sleep"

    def check(self, module: Module) -> Iterator[Finding]:
        assert module.tree is not None
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and module.qualified(node.func) == "time.sleep":
                yield self.finding(module, node, "`time.sleep` blocks")


class PrintCall(Rule):
    """A call of `print` (opt-in, informational).

    Catches: `print(...)` (an example).

    Known false positives: None known.
    """

    code = "FBP903"
    name = "example-print"
    default = False
    informational = True

    def check(self, module: Module) -> Iterator[Finding]:
        assert module.tree is not None
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and module.qualified(node.func) == "print":
                yield self.finding(module, node, "a print")


class IniTemplate(Rule):
    """An alembic.ini without `file_template`.

    Catches: an example for non-Python files.

    Known false positives: None known.
    """

    code = "FBP502"
    name = "example-ini"
    files = ("alembic.ini",)

    def check(self, module: Module) -> Iterator[Finding]:
        assert module.tree is None
        if "file_template" not in module.text:
            yield self.finding(module, 1, "no file_template")


class Broken(Rule):
    """A rule with a bug.

    Catches: nothing; it raises.

    Known false positives: None known.
    """

    code = "FBP202"
    name = "example-broken"

    def check(self, module: Module) -> Iterator[Finding]:
        if "boom" in module.text:
            raise KeyError("boom")
        yield from ()


EXAMPLES: list[type[Rule]] = [LiteralSleep, PrintCall, IniTemplate]

SLEEPY = "import time\n\nasync def f():\n    time.sleep(1)\n    print('x')\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


# Helpers the rule tests share.


def check(rule: type[Rule], source: str, path: str = "app.py") -> list[Finding]:
    """`rule`'s findings in `source` (dedented), read as the file `path`."""
    module = Module.parse(Path(path), path, textwrap.dedent(source))
    return list(rule().check(module))


def lines(findings: list[Finding]) -> list[int]:
    """The findings' line numbers, sorted."""
    return sorted(f.line for f in findings)
