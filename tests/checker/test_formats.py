"""The checker's outputs: text, JSON, SARIF 2.1.0 (validated against the OASIS schema) and
GitHub Actions annotations (escaped as GitHub's toolkit escapes them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from fastapi_practices.checker import formats
from fastapi_practices.checker.base import Finding
from fastapi_practices.checker.config import Config
from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import all_rules
from fastapi_practices.cli import main
from fastapi_practices.testing.checker import EXAMPLES, SLEEPY, LiteralSleep, PrintCall, write

# The SARIF 2.1.0 schema, OASIS's (its $id: oasis-tcs/sarif-spec, Schemata/
# sarif-schema-2.1.0.json), vendored from the copy in github.com/Security-Falcon/SARIFCourier
# at c41d6483db77b0eada0ddc904f3dc965accfe28a (check-jsonschema 0.39 vendors no SARIF schema).
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))

CONFIG = Config(site_url="https://example.org/fbp/")
FINDINGS = [
    Finding("app/main.py", 4, 5, "FBP201", "`time.sleep` blocks", "example-sleep", ""),
    Finding("app/a b%.py", 5, 5, "FBP903", "a print, here: yes", "example-print", ""),
]
FINDINGS = [
    Finding(f.path, f.line, f.col, f.code, f.message, f.rule, CONFIG.url(f.code)) for f in FINDINGS
]


def validate_sarif(document: str) -> dict:
    log = json.loads(document)
    jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    ).validate(log)
    return log


def test_schema_is_the_oasis_sarif_2_1_0_schema() -> None:
    assert SCHEMA["$id"].endswith("/sarif-spec/master/Schemata/sarif-schema-2.1.0.json")
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # the schema can fail a log
        validate_sarif('{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}')


def test_text() -> None:
    assert formats.text(FINDINGS).splitlines() == [
        "app/main.py:4:5: FBP201 `time.sleep` blocks (https://example.org/fbp/p/FBP201/)",
        "app/a b%.py:5:5: FBP903 a print, here: yes (https://example.org/fbp/p/FBP903/)",
    ]


def test_json() -> None:
    rows = json.loads(formats.as_json(FINDINGS))
    assert rows[0] == {
        "path": "app/main.py",
        "line": 4,
        "column": 5,
        "code": "FBP201",
        "rule": "example-sleep",
        "message": "`time.sleep` blocks",
        "url": "https://example.org/fbp/p/FBP201/",
    }
    assert formats.as_json([]) == "[]\n"


def test_sarif_is_valid_and_complete() -> None:
    log = validate_sarif(formats.sarif(FINDINGS, EXAMPLES, CONFIG))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "fastapi-practices"
    assert driver["informationUri"] == "https://example.org/fbp/"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    sleep = rules["FBP201/example-sleep"]
    assert sleep["shortDescription"]["text"] == "A call of `time.sleep`."
    assert sleep["helpUri"] == "https://example.org/fbp/p/FBP201/"
    assert sleep["defaultConfiguration"]["level"] == "warning"
    assert rules["FBP903/example-print"]["defaultConfiguration"]["level"] == "note"
    first, second = run["results"]
    assert first["ruleId"] == "FBP201/example-sleep"
    assert driver["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["level"] == "warning"
    assert second["level"] == "note"  # informational
    assert first["message"]["text"] == ("`time.sleep` blocks (https://example.org/fbp/p/FBP201/)")
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/main.py"
    assert location["region"] == {"startLine": 4, "startColumn": 5}
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "app/a%20b%25.py"
    )


def test_sarif_of_every_real_rule_and_no_finding_is_valid() -> None:
    log = validate_sarif(formats.sarif([], all_rules(), Config()))
    assert log["runs"][0]["results"] == []
    ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids)) == len(all_rules())


def test_sarif_from_the_command_on_real_snippets(capsys: pytest.CaptureFixture[str]) -> None:
    from fastapi_practices.testing.project import ROOT

    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        status = main(["check", "snippets", "--format", "sarif", "--select", "ALL"])
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert status in (0, 1)
    log = validate_sarif(out)
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("snippets/")
        assert (ROOT / uri).is_file()


def test_github_annotations_escape_as_github_documents() -> None:
    out = formats.github(FINDINGS, informational=frozenset({"example-print"}))
    assert out.splitlines() == [
        "::warning file=app/main.py,line=4,col=5,title=FBP201 example-sleep::"
        "`time.sleep` blocks (https://example.org/fbp/p/FBP201/)",
        "::notice file=app/a b%25.py,line=5,col=5,title=FBP903 example-print::"
        "a print, here: yes (https://example.org/fbp/p/FBP903/)",
    ]
    odd = Finding("a,b:c.py", 1, 1, "FBP201", "two\nlines\r100%", "r", "u")
    assert formats.github([odd]) == (
        "::warning file=a%2Cb%3Ac.py,line=1,col=1,title=FBP201 r::two%0Alines%0D100%25 (u)\n"
    )


def test_statistics() -> None:
    assert formats.statistics([*FINDINGS, FINDINGS[1]]) == (
        "    2  FBP903  example-print\n    1  FBP201  example-sleep\n"
    )


@pytest.mark.parametrize("kind", formats.FORMATS)
def test_every_format_from_the_command(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fastapi_practices.checker.command.all_rules", lambda: EXAMPLES)
    write(tmp_path, {"a.py": SLEEPY})
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out.txt"
    select = ["--select", "FBP201,FBP903"]
    status = main(["check", "a.py", *select, "--format", kind])
    printed = capsys.readouterr().out
    assert status == 1
    assert main(["check", "a.py", *select, "--format", kind, "--output", str(output)]) == 1
    assert output.read_text("utf-8") == printed
    assert capsys.readouterr().out == ""
    expected = {
        "text": "a.py:4:5: FBP201",
        "json": '"path": "a.py"',
        "sarif": '"uri": "a.py"',
        "github": "::warning file=a.py,line=4,col=5,title=FBP201 example-sleep::",
    }[kind]
    assert expected in printed
    if kind == "sarif":
        assert len(validate_sarif(printed)["runs"][0]["results"]) == 2
        assert [r["id"] for r in json.loads(printed)["runs"][0]["tool"]["driver"]["rules"]] == [
            "FBP201/example-sleep",
            "FBP903/example-print",
        ]


def test_findings_carry_the_rule_and_the_link() -> None:
    report = Checker([LiteralSleep, PrintCall], CONFIG).check_source(SLEEPY)
    assert [(f.rule, f.url) for f in report.findings] == [
        ("example-sleep", "https://example.org/fbp/p/FBP201/"),
        ("example-print", "https://example.org/fbp/p/FBP903/"),
    ]
