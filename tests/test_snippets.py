"""Every snippet file runs, prints what its `#>` comments say, and is ruff-clean.

A snippet may break ruff rules on purpose (a bad example usually does); its page declares them
in the `ruff` front-matter field, and ruff must flag exactly those: a declaration that ruff
no longer confirms fails too. `pytest --update-examples` rewrites the `#>` lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample

from fastapi_practices.testing.live import mark_executed
from fastapi_practices.testing.project import ROOT, catalogue, snippet_ruff_config

RUFF = [sys.executable, "-m", "ruff"]


def _snippets() -> list[tuple[Path, list[str]]]:
    found = []
    for practice in catalogue().practices:
        for path in sorted(practice.snippet_dir.rglob("*.py")):
            declared = practice.meta.ruff.get(path.relative_to(practice.snippet_dir).as_posix(), [])
            found.append((path, sorted(declared)))
    return found


SNIPPETS = _snippets()


@pytest.fixture(scope="session")
def ruff_findings() -> dict[Path, list[str]]:
    """One ruff run over every snippet, with the configuration FBP702 recommends."""
    result = subprocess.run(
        [
            *RUFF,
            "check",
            "--config",
            str(snippet_ruff_config()),
            "--output-format",
            "json",
            "--no-cache",
            *(str(path) for path, _ in SNIPPETS),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ruff failed: {result.stderr}")
    found: dict[Path, set[str]] = {}
    for diagnostic in json.loads(result.stdout):
        found.setdefault(Path(diagnostic["filename"]).resolve(), set()).add(diagnostic["code"])
    return {path: sorted(codes) for path, codes in found.items()}


@pytest.mark.parametrize(
    ("path", "declared"), SNIPPETS, ids=[str(p.relative_to(ROOT / "snippets")) for p, _ in SNIPPETS]
)
def test_ruff_flags_exactly_the_declared_rules(
    path: Path, declared: list[str], ruff_findings: dict[Path, list[str]]
) -> None:
    flagged = ruff_findings.get(path.resolve(), [])
    assert flagged == declared, (
        f"{path.relative_to(ROOT)}: ruff flags {flagged or 'nothing'}, the page's 'ruff' field "
        f"declares {declared or 'nothing'}. Fix the snippet, or declare the rule it breaks on "
        "purpose."
    )


# Files that show their own usage (a __main__ block, #> output). The other modules (parts of
# multi-module apps, apps that need a server or settings to import) are run by the behaviour
# tests, which serve them live.
RUNNABLE = [(p, d) for p, d in SNIPPETS if "__main__" in p.read_text() or "#>" in p.read_text()]


@pytest.mark.parametrize(
    ("path", "declared"), RUNNABLE, ids=[str(p.relative_to(ROOT / "snippets")) for p, _ in RUNNABLE]
)
def test_snippet_runs_and_prints_what_it_says(
    path: Path, declared: list[str], eval_example: EvalExample
) -> None:
    # Its ruff findings are checked above, in one run over every snippet.
    mark_executed(path)
    example = CodeExample.create(path.read_text(), path=path)
    if eval_example.update_examples:
        eval_example.run_print_update(example)
    else:
        eval_example.run_print_check(example)


def test_every_snippet_is_ruff_formatted(tmp_path: Path) -> None:
    """FBP702 tells readers to format with ruff; our snippets are. `#>` output lines are
    masked as `# >` first, since the formatter rewrites them (FBP702 shows it)."""
    snippets = ROOT / "snippets"
    for path, _ in SNIPPETS:
        copy = tmp_path / path.relative_to(snippets)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text().replace("#>", "# >"))
    result = subprocess.run(
        [
            *RUFF,
            "format",
            "--check",
            "--no-cache",
            "--config",
            str(snippet_ruff_config()),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, (
        "snippets not formatted as `ruff format` would (run it on them, keeping #> lines):\n"
        + result.stdout.replace(str(tmp_path) + "/", "snippets/")
    )
