"""FBP702: ruff with the recommended configuration finds what a passing test does not.

The configuration is snippets/testing/lint-and-format-with-ruff/ruff.toml. The test runs it
on this practice's snippets and on the bad snippets of every other practice, reading what
each one should trip from its page's `ruff` field, so new practices join by themselves.
"""

from __future__ import annotations

import json
import re
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


DEFAULT_RULES = ("ASYNC210", "ASYNC251", "B008", "F811", "I001")
OPT_IN_RULES = ("FAST001", "FAST002", "FAST003", "S113")


def ruff_without_config(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`ruff check --isolated`: ruff's own defaults, no configuration file."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def default_rule_set() -> set[str]:
    """The codes ruff enables with no configuration (`--isolated`), from `--show-settings`."""
    result = ruff_without_config("--show-settings", str(snippet_path(PRACTICE, "bad")))
    assert result.returncode == 0, result.stderr
    enabled = result.stdout.split("linter.rules.enabled", 1)[1].split("linter.rules.should_fix")[0]
    return set(re.findall(r"\(([A-Z]+[0-9]+)\)", enabled))


def test_default_rule_set_catches_only_the_blocking_call(record) -> None:
    defaults = default_rule_set()
    assert set(DEFAULT_RULES) <= defaults
    assert not defaults & set(OPT_IN_RULES)
    result = ruff_without_config("--output-format", "json", str(snippet_path(PRACTICE, "bad")))
    found = sorted({d["code"] for d in json.loads(result.stdout)})
    assert found == ["ASYNC210"]
    record(
        "defaults",
        "This page's `bad.py` with ruff's default rule set (no configuration)",
        found,
        ", ".join(f"`{c}`" for c in found),
    )


B008_PROBE = """\
from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


class User:
    pass


def get_user() -> User:
    return User()


@app.get("/me")
async def me({parameter}) -> str:
    return "me"
"""


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ("user: User = Depends(get_user)", ["B008", "FAST002"]),
        ("base: str = Depends(get_user)", ["FAST002"]),
        ("user: Annotated[User, Depends(get_user)]", []),
    ],
)
def test_b008_and_fast002_on_depends_defaults(parameter: str, expected: list[str]) -> None:
    source = B008_PROBE.format(parameter=parameter)
    result = ruff_without_config(
        "--select", "B008,FAST002", "--output-format", "json", "--stdin-filename", "probe.py", "-",
        stdin=source,
    )  # fmt: skip
    assert sorted({d["code"] for d in json.loads(result.stdout)}) == expected


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
