"""Small helpers shared by the rules of pydantic_v1, pydantic_usage, auth, app_config and
database: the module's nodes by type (from `Module`'s one walk) and cheap name filters.
(No rules here.)"""

from __future__ import annotations

import ast

from fastapi_practices.checker.base import Module


def nodes(module: Module, *types: type[ast.AST]) -> list[ast.AST]:
    """The module's nodes of these types (all nodes if none given), in `ast.walk` order,
    from the one walk `Module` makes per file."""
    if module.tree is None:
        return []
    return module.of_type(*types) if types else module.nodes


def tail(module: Module, node: ast.expr) -> str:
    """The last part of the name an expression refers to, cheaply: `decode` for
    `jwt.decode`, `FastAPI` for `F` after `from fastapi import FastAPI as F`; "" otherwise.
    A quick filter before `Module.qualified`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return module.imports.get(node.id, node.id).rpartition(".")[2]
    return ""


def tails(names: frozenset[str] | set[str]) -> frozenset[str]:
    """The last parts of dotted names."""
    return frozenset(name.rpartition(".")[2] for name in names)


def module_constants(module: Module) -> dict[str, ast.expr]:
    """Module-level `NAME = value` (and `NAME: T = value`) assignments, for following a
    name to its literal."""
    assert module.tree is not None
    found: dict[str, ast.expr] = {}
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], ast.Name):
                found[stmt.targets[0].id] = stmt.value
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.value is not None
        ):
            found[stmt.target.id] = stmt.value
    return found
