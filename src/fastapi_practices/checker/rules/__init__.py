"""The rules of `fastapi-practices check`: every `Rule` subclass defined in a module of this
package, found without importing anything outside it."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi_practices.checker.base import Rule


def all_rules() -> list[type[Rule]]:
    """Every rule, ordered by code, then name."""
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            ours = isinstance(value, type) and value.__module__ == module.__name__
            if ours and issubclass(value, Rule):
                found[f"{value.code} {value.name}"] = value
    return [found[key] for key in sorted(found)]
