"""The checker's main proof, over the whole snippet tree: every bad variant of a practice
that has a rule gets at least one finding with that practice's code, and every good variant
of every practice gets no finding at all. Each new practice's snippets extend this test.

A bad variant is a `bad*.py` file, or a `bad*` folder checked as a whole (the migrations
folders); a good variant is a `good*.py` file, or a `good*` folder. Bad variants run with
every rule, opt-in ones too (so opt-in rules are proven on their own snippets); good
variants with every default rule plus the opt-in rules of their own practice (a good
snippet must satisfy the rule of its practice even where that rule is opt-in). Other files
of a snippet folder (shared modules, a practice's pyproject.toml) are not variants and are
not checked here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import all_rules
from fastapi_practices.testing.project import ROOT

SNIPPETS = ROOT / "snippets"
PRACTICES = ROOT / "docs" / "practices"
DECLARED_ID = re.compile(r"^id:\s*[\"']?(FBP\d{3})", re.MULTILINE)

RULES = all_rules()
CODES = {rule.code for rule in RULES}

BAD_EXCEPTIONS: dict[str, str] = {
    "snippets/async/keep-cpu-bound-work-off-the-event-loop/bad.py": "pure-Python number "
    "crunching in a helper: nothing static tells a CPU-heavy loop from a cheap one (the rule "
    "knows the hashing and key-derivation calls by name)",
    "snippets/async/keep-cpu-bound-work-off-the-event-loop/bad_def_route.py": "the same loop "
    "in a `def` route: the cost is the GIL it holds, a timing, not a pattern",
    "snippets/database/keep-migrations-static-and-revertable/bad.py": "the app side of the "
    "practice (a table per tenant, named at run time); the rule checks bad_migrations/",
    "snippets/pydantic/let-pydantic-validate/bad.py": "hand-written checks in a route body "
    "that a model's types would do: no static pattern tells them from business logic",
}
"""Bad variants of a practice with a rule that are not a static pattern, with the reason."""
RUFF = Path(sys.executable).with_name("ruff")


def practice_id(folder: Path) -> str | None:
    """The ID declared by the page with the snippet folder's category and slug."""
    page = PRACTICES / folder.parent.name / f"{folder.name}.md"
    if not page.is_file():
        return None
    match = DECLARED_ID.search(page.read_text("utf-8"))
    return match.group(1) if match else None


def practice_folders() -> list[Path]:
    return sorted(p for p in SNIPPETS.glob("*/*") if p.is_dir())


def variants(folder: Path, kind: str) -> list[Path]:
    """A practice folder's `kind` ("bad" or "good") variants: files and folders."""
    found = []
    for path in sorted(folder.rglob(f"{kind}*")):
        inside = path.relative_to(folder).parts[:-1]
        if any(part.startswith(("bad", "good")) for part in inside):
            continue  # within a variant folder, which is checked as a whole
        if path.is_dir() or path.suffix == ".py":
            found.append(path)
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


BAD = [
    pytest.param(path, code, id=relative(path))
    for folder in practice_folders()
    if (code := practice_id(folder)) in CODES
    for path in variants(folder, "bad")
]
GOOD = [
    pytest.param(path, practice_id(folder), id=relative(path))
    for folder in practice_folders()
    for path in variants(folder, "good")
]


def findings(path: Path, checker: Checker) -> list[str]:
    report = checker.check_paths([path])
    assert report.errors == [], report.errors
    assert report.skipped == [], report.skipped
    assert report.files, f"{relative(path)}: no file checked"
    return [f"{f.path}:{f.line}: {f.code} {f.rule}: {f.message}" for f in report.findings]


def test_the_tree_is_found() -> None:
    folders = practice_folders()
    assert len(folders) > 30
    assert all(practice_id(folder) for folder in folders), [
        relative(f) for f in folders if not practice_id(f)
    ]
    assert len(GOOD) > 40
    assert set(BAD_EXCEPTIONS) <= {relative(p.values[0]) for p in BAD}  # no stale entry


def test_every_rule_enforces_a_practice_of_the_catalogue_with_a_bad_snippet() -> None:
    ids = {practice_id(folder): folder for folder in practice_folders()}
    for rule in RULES:
        assert rule.code in ids, f"{rule.name}: {rule.code} is not a practice"
        assert variants(ids[rule.code], "bad"), f"{rule.code} has no bad snippet"


@pytest.mark.parametrize(("path", "code"), BAD)
def test_bad_variant_is_caught(path: Path, code: str) -> None:
    found = findings(path, Checker(RULES))
    if relative(path) in BAD_EXCEPTIONS:
        assert not any(f" {code} " in line for line in found), "caught now: drop the exception"
        pytest.skip(BAD_EXCEPTIONS[relative(path)])
    if any(f" {code} " in line for line in found):
        return
    # What the practice's rules leave to ruff (`Rule.ruff`) counts when ruff reports it.
    deferred = sorted({c for rule in RULES if rule.code == code for c in rule.ruff})
    by_ruff = ruff(path, deferred) if deferred else []
    assert by_ruff, f"{relative(path)}: no {code} finding, nor {deferred} by ruff; got {found}"


def ruff(path: Path, codes: list[str]) -> list[str]:
    """What ruff (the pinned one, run alone) reports of these codes in `path`."""
    result = subprocess.run(
        [
            str(RUFF),
            "check",
            "--isolated",
            "--select",
            ",".join(codes),
            "--exit-zero",
            "--output-format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [item["code"] for item in json.loads(result.stdout)]


@pytest.mark.parametrize(("path", "code"), GOOD)
def test_good_variant_gets_no_finding(path: Path, code: str) -> None:
    rules = [rule for rule in RULES if rule.default or rule.code == code]
    assert findings(path, Checker(rules)) == []
