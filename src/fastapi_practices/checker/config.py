"""What `fastapi-practices check` reads from the checked project's `pyproject.toml`, and which
rules a run selects.

The table is `[tool.fastapi-practices]`; the checker reads only the keys below and leaves any
other key of that table alone (this catalogue's own `matrix`, for one):

    [tool.fastapi-practices]
    select = ["FBP2", "FBP502"]          # codes, code prefixes or rule names
    ignore = ["sync-dependency-without-io"]
    per-file-ignores = {"tests/*" = ["FBP2"]}
    exclude = ["migrations/legacy/*"]    # globs, on paths relative to the pyproject's folder
    site-url = "https://practices.example.org/"

A key the checker reads with a wrong type is a usage error naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_practices.checker.base import Rule

SITE_URL = "https://fastapi-best-practices-verified.github.io/fastapi-best-practices-verified/"
"""The public site; a finding links to `<site_url>/p/<ID>/`."""
TABLE = "fastapi-practices"


class ConfigError(Exception):
    """A usage error: a bad configuration file or key, or a selector that names no rule."""


@dataclass
class Config:
    """A run's settings: the pyproject's, then the command line's on top."""

    select: list[str] | None = None
    """None: every default rule. Otherwise the selectors that choose the rules."""
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    site_url: str = SITE_URL
    root: Path = field(default_factory=Path.cwd)
    """The folder `exclude` and `per-file-ignores` globs are relative to."""
    source: Path | None = None
    """The pyproject.toml the settings came from, if any."""

    def url(self, code: str) -> str:
        """The practice's short link."""
        return f"{self.site_url.rstrip('/')}/p/{code}/"


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.fastapi-practices]` table, from `start`
    (a file or folder) upwards. A pyproject.toml without the table is passed over, as a
    snippet folder's or a sub-package's may be."""
    try:
        here = start.resolve()
    except OSError:
        return None
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        try:
            if candidate.is_file() and f"[tool.{TABLE}" in candidate.read_text("utf-8"):
                return candidate
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return list(value)


def load_config(pyproject: Path | None) -> Config:
    """The settings in `pyproject` (defaults when None)."""
    if pyproject is None:
        return Config()
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML ({exc})") from None
    table = data.get("tool", {}).get(TABLE, {})
    where = f"{pyproject}: [tool.{TABLE}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    config = Config(root=pyproject.resolve().parent, source=pyproject)
    if "select" in table:
        config.select = _strings(table["select"], f"{where} select")
    if "ignore" in table:
        config.ignore = _strings(table["ignore"], f"{where} ignore")
    if "exclude" in table:
        config.exclude = _strings(table["exclude"], f"{where} exclude")
    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise ConfigError(f"{where} per-file-ignores must be a table of glob = [codes]")
        config.per_file_ignores = {
            glob: _strings(codes, f"{where} per-file-ignores {glob!r}")
            for glob, codes in value.items()
        }
    if "site-url" in table:
        value = table["site-url"]
        if not isinstance(value, str) or not value.startswith(("http://", "https://", "/")):
            raise ConfigError(f"{where} site-url must be a string, an http(s) address")
        config.site_url = value
    return config


def matches(rule: type[Rule], selector: str) -> bool:
    """Whether a selector names the rule: its code (`FBP201`), a prefix of its code
    (`FBP2`, `FBP`), its name (`blocking-helper-in-async`), or `ALL`."""
    key = selector.strip()
    return (
        key.upper() == "ALL"
        or key == rule.name
        or (key.upper().startswith("FBP") and rule.code.startswith(key.upper()))
    )


def explicitly(rule: type[Rule], selector: str) -> bool:
    """Whether a selector names the rule by its full code or its name (what opt-in rules,
    `default = False`, need to run)."""
    key = selector.strip()
    return key == rule.name or key.upper() == rule.code


def check_selectors(rules: list[type[Rule]], selectors: list[str], where: str) -> None:
    """A usage error for a selector that names no rule (a typo would silence a check)."""
    for selector in selectors:
        if not any(matches(rule, selector) for rule in rules):
            raise ConfigError(f"{where}: {selector!r} names no rule (see --list-rules)")


def select_rules(
    rules: list[type[Rule]], select: list[str] | None, ignore: list[str]
) -> list[type[Rule]]:
    """The rules a run uses. Without `select`, every default rule. With it, every rule a
    selector names, except opt-in rules, which only a full code or a name selects. Then
    `ignore` takes away every rule one of its selectors names."""
    if select is None:
        chosen = [rule for rule in rules if rule.default]
    else:
        chosen = [
            rule
            for rule in rules
            if any(explicitly(rule, s) for s in select)
            or (rule.default and any(matches(rule, s) for s in select))
        ]
    return [rule for rule in chosen if not any(matches(rule, s) for s in ignore)]
