"""What every rule of `fastapi-practices check` is made of: the module it reads, the
findings it yields, and the names it resolves through the module's imports.

A rule is a subclass of `Rule` in a module of `fastapi_practices.checker.rules`. Its code is
the ID of the practice it enforces (one practice may have several rules; they share the
code); its docstring is its documentation, shown on the site's rule reference and in the
practice page's "Detected by" line, so code and docs cannot disagree:

    class BlockingCallInAsync(Rule):
        \"\"\"A blocking call inside an `async def` route or dependency.

        Catches: ...
        Known false positives: ...
        \"\"\"

        code = "FBP201"
        name = "blocking-helper-in-async"
        ruff = ("ASYNC210", "ASYNC251")  # what ruff already reports; never reported here

        def check(self, module: Module) -> Iterator[Finding]:
            ...
            yield self.finding(module, node, "`time.sleep` blocks the event loop")

This module imports nothing beyond the standard library: the checker runs in users' CI.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import ClassVar

TYPE_ALIAS: type[ast.AST] | tuple[()] = getattr(ast, "TypeAlias", ())
"""`type X = ...` (Python 3.12 on), for `isinstance`; on 3.11, which lacks the node, it
matches nothing."""


@dataclass(frozen=True, order=True)
class Finding:
    """One violation: where it is, which practice it breaks, and why, in one line."""

    path: str
    line: int
    col: int
    code: str
    message: str
    rule: str = ""
    url: str = ""


@dataclass
class Module:
    """One file as the rules see it. `tree` is None for files that are not Python
    (`alembic.ini`, `pyproject.toml`), which rules that declare them read as `text`."""

    path: Path
    display: str
    text: str
    tree: ast.Module | None = None
    imports: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, path: Path, display: str, text: str) -> Module:
        """Parse Python source (raises SyntaxError, ValueError) and map its imported names."""
        # Warnings about the checked code (`"\d"`: invalid escape sequence) are its
        # compiler's business: not printed, and never turned into errors that skip the file.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, filename=display)
        nodes = walk_all(tree)
        module = cls(path=path, display=display, text=text, tree=tree)
        module.imports = import_map(tree, nodes)
        module.__dict__["nodes"] = nodes  # the cached_property's value: one walk per file
        return module

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the tree in `ast.walk(tree)`'s order (breadth first), from one walk
        shared by all rules: iterate this rather than walking the whole tree again (a walk
        per rule is most of a run's time). Empty for files that are not Python."""
        return [] if self.tree is None else walk_all(self.tree)

    @cached_property
    def _by_type(self) -> dict[type[ast.AST], list[ast.AST]]:
        index: dict[type[ast.AST], list[ast.AST]] = {}
        for node in self.nodes:
            index.setdefault(type(node), []).append(node)
        return index

    def of_type(self, *types: type[ast.AST]) -> list[ast.AST]:
        """The nodes of these exact classes (`ast.Call`, `ast.AsyncFunctionDef`), in the
        order of `nodes`: the fastest way for a rule to find what it looks at."""
        if len(types) == 1:
            return self._by_type.get(types[0], [])
        wanted = set(types)
        return [node for node in self.nodes if type(node) in wanted]

    def qualified(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to through the module's imports:
        `sleep` after `from time import sleep` is `time.sleep`, `rq.get` after
        `import requests as rq` is `requests.get`. None for anything else."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])


def walk_all(tree: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(tree))`: the same nodes in the same order, a little faster."""
    nodes = [tree]
    append = nodes.append
    for node in nodes:  # the list grows as it is read: breadth first, as ast.walk
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
            elif isinstance(value, ast.AST):
                append(value)
    return nodes


def import_map(tree: ast.Module, nodes: list[ast.AST] | None = None) -> dict[str, str]:
    """Local name -> the dotted name it was imported as, for every import in the module
    (at any depth: imports inside functions count too). `nodes`: the tree's, if walked."""
    names: dict[str, str] = {}
    for node in ast.walk(tree) if nodes is None else nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def character_column(module: Module, node: ast.AST) -> int:
    """`node`'s 0-based column in characters: `ast` counts UTF-8 bytes, which differ after
    any non-ASCII character earlier on the line."""
    offset = getattr(node, "col_offset", 0)
    lines = module.text.splitlines() if module.tree is not None else []
    number = getattr(node, "lineno", 1)
    if not offset or number > len(lines) or lines[number - 1].isascii():
        return offset
    return len(lines[number - 1].encode("utf-8")[:offset].decode("utf-8", errors="replace"))


class Rule:
    """One check. Subclasses set the class attributes and write `check`."""

    code: ClassVar[str]
    """The practice it enforces: `FBP201`."""
    name: ClassVar[str]
    """Its own name, lower-case words joined by hyphens: `blocking-helper-in-async`."""
    ruff: ClassVar[tuple[str, ...]] = ()
    """Ruff's rules for the cases ruff already catches; this rule leaves those to ruff."""
    default: ClassVar[bool] = True
    """False for opt-in rules, which run only when `select` names them."""
    informational: ClassVar[bool] = False
    """True for rules whose findings are advice (SARIF level `note`), not defects."""
    files: ClassVar[tuple[str, ...]] = ("*.py",)
    """File names (globs) it reads; anything but `*.py` comes as text, with no tree."""
    triggers: ClassVar[tuple[str, ...]] = ()
    """A fast pre-filter: the rule runs only on files whose text contains one of these
    strings (`("bcrypt", "hashlib", "argon2")`); empty, on every file. Each must be text
    that any file the rule could report in contains (an import's module name, say)."""

    def check(self, module: Module) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, module: Module, node: ast.AST | int, message: str) -> Finding:
        """A finding at `node` (or at a 1-based line number, column 1)."""
        if isinstance(node, int):
            line, col = node, 1
        else:
            line, col = getattr(node, "lineno", 1), character_column(module, node) + 1
        return Finding(module.display, line, col, self.code, message, self.name)

    @classmethod
    def documentation(cls) -> RuleDoc:
        """Its docstring, in the three parts the site shows (see `RuleDoc`)."""
        return RuleDoc.parse(cls.__doc__ or "")


@dataclass(frozen=True)
class RuleDoc:
    """A rule's docstring, which must read:

        One line: what it catches.

        Catches: what it reports, in a sentence or a few (Markdown; may span lines).

        Known false positives: when it reports something that is fine ("None known.").

    `parse` raises ValueError naming the missing part."""

    summary: str
    catches: str
    false_positives: str

    @classmethod
    def parse(cls, docstring: str) -> RuleDoc:
        import inspect

        text = inspect.cleandoc(docstring)
        summary, _, rest = text.partition("\n\n")
        parts: dict[str, str] = {}
        for block in rest.split("\n\n"):
            label, sep, body = block.partition(":")
            if sep and label in ("Catches", "Known false positives"):
                parts[label] = " ".join(body.split())
        missing = [p for p in ("Catches", "Known false positives") if not parts.get(p)]
        if not summary.strip() or "\n" in summary or missing:
            raise ValueError(
                "a rule's docstring needs a one-line summary, then 'Catches:' and "
                f"'Known false positives:' paragraphs; missing: {missing or ['summary']}"
            )
        return cls(summary.strip(), parts["Catches"], parts["Known false positives"])
