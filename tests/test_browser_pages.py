"""The built site in a real Chromium, driven by Playwright: the copy buttons, the short
links, the requests a page makes, and screenshots for a human to look at.

The site is built for a public address (SITE_URL) and served from its folder on 127.0.0.1
(tests/conftest.py); every request for anything outside 127.0.0.1 is refused and noted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from fastapi_practices.testing.project import ROOT, catalogue

SCREENSHOTS = ROOT / ".cache" / "screenshots"


def clipboard(page: Page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_buttons_put_the_review_comment_and_the_link_on_the_clipboard(
    page: Page, served: str, site_url: str
) -> None:
    practice = catalogue().by_id()["FBP201"]
    page.goto(served + practice.url)
    short = f"{site_url}p/FBP201/"
    page.get_by_role("button", name="Copy review comment").click()
    assert clipboard(page) == f"[FBP201: {practice.meta.title}]({short})"
    # The keyboard alone: focus the second button and press Enter.
    page.get_by_role("button", name="Copy link").focus()
    page.keyboard.press("Enter")
    assert clipboard(page) == short


def test_every_short_link_lands_on_its_page(browser: Browser, served: str) -> None:
    # The redirect is plain HTML (a meta refresh): it must work without JavaScript, and
    # without it each page is quick to load.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for practice in catalogue().practices:
            page.goto(f"{served}p/{practice.id}/", wait_until="commit")
            page.wait_for_url(served + practice.url, wait_until="domcontentloaded")
            assert page.locator(f'[data-practice="{practice.id}"]').count() == 1
    finally:
        context.close()


def test_no_page_requests_anything_outside_127_0_0_1(
    context: BrowserContext, page: Page, served: str, site: Path
) -> None:
    pages = sorted(
        p.parent.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if 'http-equiv="refresh"' not in p.read_text()[:2000]
    )
    assert len(pages) > len(catalogue().practices)
    for path in pages:
        page.goto(served + ("" if path == "." else path + "/"), wait_until="load")
    assert context.outside == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_screenshot_of_a_practice_page_for_review(page: Page, served: str, scheme: str) -> None:
    """Written to .cache/screenshots/ for a human to look at; asserts only that the colour
    scheme took effect."""
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.emulate_media(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(served + catalogue().by_id()["FBP201"].url)
    assert page.locator(f'body[data-md-color-scheme="{scheme}"]').count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"FBP201-{scheme}.png"))


@pytest.mark.parametrize(
    ("preference", "scheme", "other"), [("dark", "slate", "default"), ("light", "default", "slate")]
)
def test_a_first_visit_takes_the_readers_scheme_before_any_script_has_loaded(
    page: Page, served: str, preference: str, scheme: str, other: str
) -> None:
    """Material applies the reader's colour-scheme preference only once its bundle has
    loaded and run; until then a reader in dark mode saw a light page. The bundle is refused
    here, so only the page's own inline script can pick the scheme. A choice made with the
    toggle is stored, and wins over the preference on the next visit."""
    url = served + catalogue().by_id()["FBP201"].url
    bundle = "**/assets/javascripts/bundle.*.min.js"
    refused: list[str] = []

    def refuse(route: Route) -> None:
        refused.append(route.request.url)
        route.abort()

    page.emulate_media(color_scheme=preference)  # type: ignore[arg-type]
    page.route(bundle, refuse)
    page.goto(url)
    assert page.evaluate("document.body.dataset.mdColorScheme") == scheme
    page.unroute(bundle)
    page.goto(url)
    toggle = "Switch to light mode" if scheme == "slate" else "Switch to dark mode"
    page.get_by_title(toggle).click()
    page.wait_for_function(f"document.body.dataset.mdColorScheme === '{other}'")
    page.route(bundle, refuse)
    page.goto(url)
    assert page.evaluate("document.body.dataset.mdColorScheme") == other
    # Both refused visits asked for the bundle: the pattern still names Material's script.
    assert len(refused) == 2, refused


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_chart_takes_the_colours_of_either_scheme(page: Page, served: str, scheme: str) -> None:
    """The inline chart's text is the page's text colour and its bars the scheme's bad and
    good colours, in light and in dark mode; its accessible name states the figures."""
    page.emulate_media(color_scheme="dark" if scheme == "slate" else "light")
    page.goto(served + catalogue().by_id()["FBP201"].url)
    assert page.locator(f'body[data-md-color-scheme="{scheme}"]').count() == 1
    chart = page.get_by_role("img", name="Eight requests sent at once to each app")
    assert chart.count() == 1
    colours = chart.evaluate(
        """svg => {
            const style = getComputedStyle(document.body);
            const text = svg.querySelector('text');
            const fills = [...svg.querySelectorAll('path')].map(p => getComputedStyle(p).fill);
            const probe = document.createElement('span');
            document.body.append(probe);
            probe.style.color = 'var(--fbp-bad)';
            const bad = getComputedStyle(probe).color;
            probe.style.color = 'var(--fbp-good)';
            const good = getComputedStyle(probe).color;
            probe.remove();
            return {text: getComputedStyle(text).fill, page: getComputedStyle(svg).color,
                    body: style.color, bad, good, fills};
        }"""
    )
    assert colours["text"] == colours["page"] == colours["body"]
    assert colours["bad"] in colours["fills"] and colours["good"] in colours["fills"]
    assert colours["bad"] != colours["good"]
