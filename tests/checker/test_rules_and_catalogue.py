"""The rules and the catalogue agree: each rule enforces a practice that exists, documents
itself in the three parts the site shows, and its practice's page and the rule reference
are generated from that documentation."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from fastapi_practices.checker.base import Rule, RuleDoc
from fastapi_practices.checker.rules import all_rules
from fastapi_practices.testing.project import ROOT, catalogue

RULES = all_rules()


def test_there_are_rules_and_names_are_unique() -> None:
    assert len(RULES) >= 20
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.code}-{rule.name}")
def test_each_rule_enforces_a_practice_and_documents_itself(rule: type[Rule]) -> None:
    assert rule.code in catalogue().by_id(), f"{rule.name}: no practice {rule.code}"
    doc = rule.documentation()
    assert doc.summary and doc.catches and doc.false_positives
    assert all(re.fullmatch(r"[A-Z]+\d+", code) for code in rule.ruff), rule.ruff


def test_a_docstring_without_its_parts_is_refused_naming_them() -> None:
    with pytest.raises(ValueError, match=r"missing: \['Known false positives'\]"):
        RuleDoc.parse("Catches things.\n\nCatches: this and that.\n")
    with pytest.raises(ValueError, match=r"missing: \['summary'\]"):
        RuleDoc.parse("Two lines\nof summary.\n\nCatches: x.\n\nKnown false positives: none.")


def _page(site: Path, url: str) -> str:
    return (site / url.strip("/") / "index.html").read_text()


def test_practice_pages_say_which_rules_detect_them(site: Path) -> None:
    """A practice with rules has a "Detected by" section listing each rule with what it
    catches and its known false positives (from the docstring), and the ruff codes; a
    practice without one has no such section."""
    with_rules = {rule.code for rule in RULES}
    for practice in catalogue().practices:
        body = _page(site, practice.url)
        if practice.id not in with_rules:
            assert 'id="detected-by"' not in body, practice.id
            continue
        assert 'id="detected-by"' in body, practice.id
        for rule in (r for r in RULES if r.code == practice.id):
            assert f"checker/#{rule.name}" in body, (practice.id, rule.name)
            first_words = " ".join(rule.documentation().false_positives.split()[:3])
            assert first_words.split("`")[0] in body, (practice.id, rule.name)
            for code in rule.ruff:
                assert f"<code>{code}</code>" in body, (practice.id, code)


def test_rule_reference_lists_every_rule_from_its_docstring(site: Path) -> None:
    body = _page(site, "checker/")
    for rule in RULES:
        assert f'id="{rule.name}"' in body, rule.name
        summary = rule.documentation().summary
        assert summary.split("`")[0] in body, rule.name


def test_checker_page_shows_real_output_of_the_checker(
    site: Path, site_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example on the checker page is the checker's own output on two bad snippets,
    written at build time: the same lines the command prints for those files now."""
    from fastapi_practices.cli import main

    body = html.unescape(re.sub(r"<[^>]+>", "", _page(site, "checker/")))
    command = re.search(r"\$ fastapi-practices check (\S+) (\S+)\n", body)
    assert command, "no example run on the checker page"
    shown = [line for line in body.splitlines() if line.startswith(command.groups())]
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        status = main(["check", "--isolated", "--site-url", site_url, *command.groups()])
    printed = [line for line in capsys.readouterr().out.splitlines() if "FBP" in line]
    assert status == 1
    assert shown and sorted(shown) == sorted(printed)
