"""How `fastapi-practices check` writes its findings: text, JSON, SARIF 2.1.0 (GitHub code
scanning) and GitHub Actions workflow commands (annotations on a pull request's diff)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from fastapi_practices import __version__
from fastapi_practices.checker.base import Finding, Rule, RuleDoc
from fastapi_practices.checker.config import Config

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text(findings: Sequence[Finding]) -> str:
    """`path:line:col: FBP201 message (url)`, one finding a line."""
    return "".join(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message} ({f.url})\n" for f in findings)


def as_json(findings: Sequence[Finding]) -> str:
    """A list of objects: path, line, column, code, rule, message, url."""
    rows = [
        {
            "path": f.path,
            "line": f.line,
            "column": f.col,
            "code": f.code,
            "rule": f.rule,
            "message": f.message,
            "url": f.url,
        }
        for f in findings
    ]
    return json.dumps(rows, indent=2) + "\n"


def statistics(findings: Sequence[Finding]) -> str:
    """How many findings each rule has, most first: `count code rule`."""
    counts = Counter((f.code, f.rule) for f in findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>5}  {code}  {rule}\n" for (code, rule), count in ordered)


def _escape_data(value: str) -> str:
    # GitHub's workflow commands (actions/toolkit, core/src/command.ts: escapeData).
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    # The same for a property's value (escapeProperty), where `:` and `,` separate.
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], informational: frozenset[str] = frozenset()) -> str:
    """`::warning file=...,line=...,col=...,title=FBP201::message (url)` per finding
    (`::notice` for informational rules), escaped as GitHub documents."""
    lines = []
    for f in findings:
        level = "notice" if f.rule in informational else "warning"
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", f.path),
                ("line", f.line),
                ("col", f.col),
                ("title", f"{f.code} {f.rule}".strip()),
            )
        )
        lines.append(f"::{level} {properties}::{_escape_data(f'{f.message} ({f.url})')}\n")
    return "".join(lines)


def _doc(rule: type[Rule]) -> RuleDoc:
    try:
        return rule.documentation()
    except ValueError:
        first = (rule.__doc__ or rule.name).strip().splitlines()[0]
        return RuleDoc(first, first, "Not documented.")


def rule_id(rule: type[Rule]) -> str:
    """A rule's SARIF id: its practice's code and its own name (several rules may share a
    code), `FBP201/blocking-helper-in-async`."""
    return f"{rule.code}/{rule.name}"


def _uri(path: str) -> str:
    """A finding's path as a URI relative to the repository root (the working directory
    a workflow runs in); an absolute `file://` URI for a path outside it."""
    absolute = Path(path).absolute()
    try:
        relative = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_uri()
    return quote(relative.replace(os.sep, "/"))


def sarif(findings: Sequence[Finding], rules: Sequence[type[Rule]], config: Config) -> str:
    """A SARIF 2.1.0 log of one run: the tool and its rules, then one result a finding."""
    ordered = sorted(rules, key=rule_id)
    index = {(rule.code, rule.name): number for number, rule in enumerate(ordered)}
    descriptors = []
    for rule in ordered:
        doc = _doc(rule)
        descriptor: dict[str, object] = {
            "id": rule_id(rule),
            "name": rule.name,
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": doc.catches},
            "help": {
                "text": f"{doc.catches}\nKnown false positives: {doc.false_positives}",
                "markdown": f"{doc.catches}\n\n**Known false positives:** "
                f"{doc.false_positives}\n\n[The practice]({config.url(rule.code)})",
            },
            "helpUri": config.url(rule.code),
            "defaultConfiguration": {"level": "note" if rule.informational else "warning"},
            "properties": {"tags": ["fastapi", rule.code], "ruff": list(rule.ruff)},
        }
        descriptors.append(descriptor)
    results = []
    for f in findings:
        number = index.get((f.code, f.rule))
        rule = ordered[number] if number is not None else None
        result: dict[str, object] = {
            "ruleId": rule_id(rule) if rule else f"{f.code}/{f.rule}",
            "level": "note" if rule is not None and rule.informational else "warning",
            "message": {"text": f"{f.message} ({f.url})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.col, 1)},
                    }
                }
            ],
        }
        if number is not None:
            result["ruleIndex"] = number
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-practices",
                        "version": __version__,
                        "informationUri": config.site_url,
                        "rules": descriptors,
                    }
                },
                "results": results,
                # Columns count characters (code points), as the text output's do.
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
