"""The version matrix: a test's outcome on a release becomes that release's cell on the
page, failing as failing; and tests/matrix.json is well-formed, complete and shown.

The outcome side runs pytest for real (on a one-practice copy) and reads its JUnit report
as `make test-matrix` does; nothing is typed by hand.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from fastapi_practices import render
from fastapi_practices.catalogue import load_catalogue
from fastapi_practices.model import Matrix, MatrixPoint, PracticeVerdict, Verdict
from fastapi_practices.testing.plugin import current_environment
from fastapi_practices.testing.project import ROOT, catalogue, copy_practice, run_command
from fastapi_practices.tools.matrix import configured_points, verdicts

TEST = "tests/practices/test_dont_block_the_event_loop.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy_practice("FBP201", tmp_path, site=True)
    return tmp_path


def outcome(project: Path, test_source: str) -> MatrixPoint:
    """Run the practice's (replaced) test with pytest, and read its JUnit XML as the
    matrix runner does, into one point of the matrix."""
    (project / TEST).write_text(test_source)
    xml = project / "junit.xml"
    # command_env writes no .pyc: TEST is rewritten by each test, maybe at one size.
    run_command(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST,
        f"--junitxml={xml}", cwd=project,
    )  # fmt: skip
    cat = load_catalogue(project)
    return MatrixPoint(
        point="0.115.14",
        ran=date(2026, 12, 1),
        environment=current_environment(),
        results=verdicts([xml], cat),
    )


def test_a_failing_test_becomes_a_failing_cell(project: Path) -> None:
    point = outcome(project, "def test_claim():\n    assert 1 == 2\n")
    cell = point.results["FBP201"]
    assert cell.verdict == Verdict.FAILS and cell.detail == "test_claim"
    practice = load_catalogue(project).by_id()["FBP201"]
    matrix = Matrix(command="make test-matrix", points=[point])
    shown = render.versions(practice, matrix)
    assert 'class="fbp-cell fbp-cell--fails"' in shown
    assert '<span aria-hidden="true">✗</span> fails</span>' in shown
    assert render.verified_range(practice, matrix) == (point.environment.fastapi, False)


def test_a_test_that_needs_a_later_release_becomes_not_applicable(project: Path) -> None:
    source = (
        "from fastapi_practices.testing.versions import needs\n\n\n"
        "@needs('fastapi', '99.0.0', 'a feature from the future')\n"
        "def test_claim():\n    pass\n"
    )
    cell = outcome(project, source).results["FBP201"]
    assert cell.verdict == Verdict.NOT_APPLICABLE
    assert cell.detail == "needs FastAPI 99.0.0: a feature from the future"


def test_passing_tests_hold_and_set_the_verified_range(project: Path) -> None:
    point = outcome(project, "def test_claim():\n    assert 1 == 1\n")
    assert point.results["FBP201"].verdict == Verdict.HOLDS
    practice = load_catalogue(project).by_id()["FBP201"]
    older = point.model_copy(update={"point": "0.115.14"})
    newer = point.model_copy(
        update={"point": "0.165.0", "environment": point.environment.model_copy(
            update={"fastapi": "0.165.0"})}
    )  # fmt: skip
    older = older.model_copy(
        update={"environment": point.environment.model_copy(update={"fastapi": "0.115.14"})}
    )
    matrix = Matrix(command="make test-matrix", points=[older, newer])
    assert render.verified_range(practice, matrix) == ("0.115.14 to 0.165.0", True)
    failing_old = older.model_copy(
        update={"results": {"FBP201": PracticeVerdict(verdict=Verdict.FAILS, detail="x")}}
    )
    matrix = Matrix(command="make test-matrix", points=[failing_old, newer])
    assert render.verified_range(practice, matrix) == ("0.165.0", True)


# ------------------------------------------------------------------ the committed matrix


def test_matrix_file_covers_every_practice_on_every_configured_point() -> None:
    matrix = catalogue().matrix
    assert matrix is not None, "tests/matrix.json is missing: run `make test-matrix`"
    assert [p.point for p in matrix.points] == configured_points(ROOT)
    for point in matrix.points:
        missing = sorted({p.id for p in catalogue().practices} - set(point.results))
        assert not missing, f"{point.point}: no verdict for {missing}; run make test-matrix"
    # The newest point is the release the rest of the suite runs on.
    assert matrix.points[-1].environment.fastapi == current_environment().fastapi


def test_every_practice_page_shows_its_matrix_row(site: Path) -> None:
    matrix = catalogue().matrix
    assert matrix is not None
    for practice in catalogue().practices:
        page = (site / practice.url / "index.html").read_text()
        for point in matrix.points:
            cell = point.results[practice.id]
            css = {"holds": "holds", "fails": "fails", "n/a": "na"}[cell.verdict]
            assert (
                f'<li class="fbp-cell fbp-cell--{css}" title="Starlette '
                f"{point.environment.starlette}, "
            ) in page, (practice.id, point.point)
            assert f'<span class="fbp-cell__version">{point.environment.fastapi}</span>' in page
        verified = render.verified_range(practice, matrix)
        assert verified is not None
        word = "Verified on" if verified[1] else "Fails on"
        assert f"{word} FastAPI {verified[0]}</span>" in page


def test_matrix_json_is_what_the_runner_writes() -> None:
    text = (ROOT / "tests/matrix.json").read_text()
    matrix = Matrix.model_validate_json(text)
    assert json.loads(text) == matrix.model_dump(mode="json")


def test_versions_page_lists_every_practice_on_every_release(site: Path) -> None:
    matrix = catalogue().matrix
    assert matrix is not None
    page = (site / "versions" / "index.html").read_text()
    for point in matrix.points:
        assert f'<th scope="col">FastAPI {point.environment.fastapi}<br>' in page
    for practice in catalogue().practices:
        row = page.split(f'<a href="../{practice.url}">{practice.id}</a>', 1)[1]
        row = row.split("</tr>", 1)[0]
        expected = [
            {"holds": "holds", "fails": "fails", "n/a": "not applicable"}[
                point.results[practice.id].verdict
            ]
            for point in matrix.points
        ]
        shown = re.findall(r'<span aria-hidden="true">.</span> ([a-z ]+)</td>', row)
        assert shown == expected, practice.id
