"""Accessibility: axe-core, run in the browser on the home page, the catalogue and two
practice pages (light scheme and dark), finds no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from fastapi_practices.testing.project import catalogue

PAGES = ["", "catalogue/", "checker/", "FBP201", "FBP605"]


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("which", PAGES)
def test_no_serious_or_critical_accessibility_violation(
    page: Page, served: str, which: str, scheme: str
) -> None:
    path = catalogue().by_id()[which].url if which.startswith("FBP") else which
    # The reader's system preference picks the scheme as the page loads (mkdocs.yml's
    # palette), so no colour is caught half-way through a transition.
    page.emulate_media(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(served + path)
    assert page.locator(f'body[data-md-color-scheme="{scheme}"]').count() == 1
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            f"{n['target']} {n['any'][0]['message'][:90] if n['any'] else ''}"
            for n in v["nodes"][:4]
        )
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], "\n".join(serious)
