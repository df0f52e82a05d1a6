"""FBP702: ruff with the recommended configuration finds what a passing test does not.

The configuration is snippets/testing/lint-and-format-with-ruff/ruff.toml. The test runs it
on this practice's snippets and on the bad snippets of every other practice, reading what
each one should trip from its page's `ruff` field, so new practices join by themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from fastapi_practices.catalogue import Practice
from fastapi_practices.testing.live import live_app, live_server, snippet_path
from fastapi_practices.testing.project import SNIPPETS, catalogue, snippet_ruff_config

PRACTICE = "testing/lint-and-format-with-ruff"
CONFIG = SNIPPETS / PRACTICE / "ruff.toml"
THIS = "FBP702"


def ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--config", str(CONFIG)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def flagged(path: Path) -> dict[str, str]:
    """Rule code -> rule name for every diagnostic ruff reports on `path`."""
    result = ruff("check", "--output-format", "json", str(path))
    assert result.returncode in (0, 1), result.stderr
    return {
        d["code"]: (d.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        for d in json.loads(result.stdout)
    }


def enforced(practice: Practice) -> dict[str, list[str]]:
    """Rules a bad snippet breaks on purpose that no good snippet of the practice breaks."""
    on_good = {
        code
        for name, codes in practice.meta.ruff.items()
        if not Path(name).name.startswith("bad")
        for code in codes
    }
    return {
        name: sorted(set(codes) - on_good)
        for name, codes in practice.meta.ruff.items()
        if Path(name).name.startswith("bad") and set(codes) - on_good
    }


def test_recommended_config_is_the_one_every_snippet_is_held_to() -> None:
    # tests/test_snippets.py lints every snippet with this very file, nothing else.
    assert snippet_ruff_config() == CONFIG
    config = tomllib.loads(CONFIG.read_text())
    assert config["line-length"] == 88


def test_bad_and_good_both_serve_the_item() -> None:
    """Ruff's findings in bad.py are not visible to a functional test: both answer alike."""
    catalogue = FastAPI()

    @catalogue.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int | str]:
        return {"id": item_id, "name": "lamp"}

    with live_app(catalogue) as url:
        for name in ("bad", "good"):
            with live_server(snippet_path(PRACTICE, name), env={"CATALOGUE_URL": url}) as app:
                response = httpx.get(f"{app.url}/items/7", timeout=10)
            assert response.json() == {"id": 7, "name": "lamp"}


def test_ruff_flags_bad_and_passes_good(record) -> None:
    practice = catalogue().by_id()[THIS]
    bad = flagged(snippet_path(PRACTICE, "bad"))
    assert sorted(bad) == sorted(practice.meta.ruff["bad.py"])
    assert flagged(snippet_path(PRACTICE, "good")) == {}
    record("bad", "This page's `bad.py`", sorted(bad), ", ".join(f"`{c}`" for c in sorted(bad)))
    record("good", "This page's `good.py`", [], "nothing")


def test_ruff_enforces_other_practices(request: pytest.FixtureRequest, record) -> None:
    rows = []
    for practice in catalogue().practices:
        if practice.id == THIS:
            continue
        for name, codes in enforced(practice).items():
            found = flagged(practice.snippet_dir / name)
            missing = sorted(set(codes) - set(found))
            assert not missing, (
                f"{practice.id} {name}: the page declares {missing}, ruff.toml does not flag them"
            )
            rows.append((practice, name, {code: found[code] for code in codes}))
    assert rows, "no practice declares a rule that ruff enforces"
    shown = {f"{practice.id}/{name}" for practice, name, _ in rows}
    if not request.config.getoption("record"):
        recorded = json.loads(catalogue().by_id()[THIS].measurements_file.read_text())
        on_page = {fig["key"] for fig in recorded["figures"] if "/" in fig["key"]}
        assert on_page == shown, (
            f"the {THIS} page lists {sorted(on_page)} but the pages' `ruff` fields give "
            f"{sorted(shown)}; run `make measure K=lint_and_format` to update it"
        )
    for practice, name, codes in rows:
        link = f"../{practice.src_path.removeprefix('practices/')}"
        record(
            f"{practice.id}/{name}",
            f"[{practice.id}]({link}) {practice.meta.title} (`{name}`)",
            sorted(codes),
            ", ".join(f"`{code}` {rule}" for code, rule in sorted(codes.items())),
        )


def test_ruff_format_rewrites_output_comments() -> None:
    """`#>` lines (pytest-examples' printed output) become `# >`: keep such files out."""
    result = ruff("format", "-", stdin="print(1)\n#> 1\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "print(1)\n# > 1\n"
