"""Charts of the recorded figures: drawn from the figures (never by hand), small, with a text
alternative that states them, inline on the page, readable in both colour schemes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fastapi_practices import charts
from fastapi_practices.testing.project import catalogue

PERFORMANCE = ["FBP201", "FBP202", "FBP203", "FBP204", "FBP404", "FBP605"]


def test_the_performance_practices_have_charts() -> None:
    assert sorted(charts.CHARTS) == PERFORMANCE


@pytest.mark.parametrize("practice_id", PERFORMANCE)
def test_chart_matches_its_figures(practice_id: str) -> None:
    """Drawn again from the committed figures, the chart is the committed file, byte for
    byte: a figure recorded without its chart (or a chart edited by hand) fails here."""
    practice = catalogue().by_id()[practice_id]
    assert practice.measurements is not None
    committed = charts.chart_file(practice.measurements_file)
    assert committed.is_file(), f"{committed.name} is missing: run `make measure`"
    drawn = charts.draw(practice.measurements)
    assert drawn == committed.read_text(encoding="utf-8"), (
        f"{committed.name} does not match tests/measurements/{practice_id}.json; run "
        "`make measure` (it draws the chart when it records the figures)"
    )
    assert len(drawn.encode()) <= charts.MAX_BYTES


@pytest.mark.parametrize("practice_id", PERFORMANCE)
def test_chart_has_no_group_that_only_names_its_content(practice_id: str) -> None:
    """matplotlib's `<g id="patch_4">` around each bar and label is an element the page styles
    again and again for nothing (FBP201's chart had 138 of them in 224 elements): the chart
    keeps only the groups that clip, move or style what they hold."""
    svg = charts.chart_file(catalogue().by_id()[practice_id].measurements_file).read_text()
    root = ET.fromstring(svg)  # noqa: S314 (our own committed file)
    groups = list(root.iter("{http://www.w3.org/2000/svg}g"))
    assert [g.attrib for g in groups if set(g.attrib) <= {"id"}] == []
    # Nothing the chart refers to went with them: every url(#...) and href="#..." resolves.
    ids = {element.get("id") for element in root.iter()}
    references = set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg))
    assert references and {a or b for a, b in references} <= ids


def test_a_changed_figure_changes_the_chart() -> None:
    practice = catalogue().by_id()["FBP605"]
    assert practice.measurements is not None
    figures = [
        f.model_copy(update={"value": 202}) if f.key == "bad-queries" else f
        for f in practice.measurements.figures
    ]
    changed = practice.measurements.model_copy(update={"figures": figures})
    assert charts.draw(changed) != charts.draw(practice.measurements)
    assert "a query per post: 2e+02" in str(charts.draw(changed))


@pytest.mark.parametrize("practice_id", PERFORMANCE)
def test_chart_text_alternative_states_the_figures(practice_id: str) -> None:
    svg = charts.chart_file(catalogue().by_id()[practice_id].measurements_file).read_text()
    title = re.search(r"<title>(.*?)</title>", svg, re.S)
    assert title and f'aria-label="{title.group(1)}"' in svg and 'role="img"' in svg
    numbers = re.findall(r"\d+(?:\.\d+)?(?:e[+-]\d+)?", title.group(1))
    assert len(numbers) >= 2, title.group(1)
    # Only the page's colours: no colour of matplotlib's own, no page-wide style rule.
    assert "<style" not in svg
    colours = set(re.findall(r"(?:fill|stroke): ([^;\"]+)", svg))
    assert colours <= {"none", "currentColor", "var(--fbp-bad, #b3261e)",
                       "var(--fbp-good, #1b6e3a)"}, colours  # fmt: skip


def test_chart_is_inline_on_its_page(site: Path) -> None:
    for practice_id in PERFORMANCE:
        practice = catalogue().by_id()[practice_id]
        page = (site / practice.url / "index.html").read_text()
        svg = charts.chart_file(practice.measurements_file).read_text()
        assert '<figure class="fbp-chart"><svg' in page
        title = re.search(r"<title>(.*?)</title>", svg, re.S)
        assert title and title.group(0) in page
