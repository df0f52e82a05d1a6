"""Search in a real Chromium: what reviewers type, key by key, finds the practice.

Material's own search, with the index the build feeds each practice's ID, summary and
search terms (front matter `search_terms`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fastapi_practices.testing.project import catalogue

# What reviewers type, and the practice that must come up among the first three results.
QUERIES = [
    # IDs, as pasted and in lower case
    ("FBP201", "FBP201"),
    ("fbp404", "FBP404"),
    ("FBP605", "FBP605"),
    # API names
    ("time.sleep", "FBP201"),
    ("run_in_threadpool", "FBP204"),
    ("json_encoders", "FBP302"),
    ("openapi_url", "FBP503"),
    ("use_cache", "FBP403"),
    ("env_prefix", "FBP303"),
    ("ProcessPoolExecutor", "FBP203"),
    ("total_tokens", "FBP202"),
    ("naming_convention", "FBP601"),
    ("file_template", "FBP603"),
    ("json_build_object", "FBP605"),
    ("HTTPException in a validator", "FBP304"),
    ("allow_credentials", "FBP801"),
    ("forwarded-allow-ips", "FBP802"),
    ("strict_content_type", "FBP804"),
    ("WWW-Authenticate", "FBP806"),
    ("argon2", "FBP807"),
    ("debug=True", "FBP808"),
    ("on_event", "FBP103"),
    # Symptoms, in plain words
    ("requests are processed one at a time", "FBP201"),
    ("my endpoint is slow under load", "FBP202"),
    ("database fixture fails in async tests", "FBP701"),
    ("docs visible in production", "FBP503"),
    ("n+1 queries", "FBP605"),
    ("dependency runs twice", "FBP403"),
    ("attached to a different loop", "FBP701"),
    ("cpu heavy endpoint freezes the server", "FBP203"),
    ("downgrade does nothing", "FBP602"),
    ("circular imports between domains", "FBP102"),
    ("403 instead of 401", "FBP806"),
    ("upload uses too much memory", "FBP803"),
    ("limit query parameter has no maximum", "FBP805"),
    ("user enumeration by timing", "FBP807"),
    ("traceback in the response", "FBP808"),
    # Misspellings, next to a word spelt right (Material's search has no fuzzy matching)
    ("evnt loop blocked", "FBP201"),
    ("thred pool limit", "FBP202"),
    ("procces pool for cpu work", "FBP203"),
]


def search(page: Page, query: str) -> list[str]:
    """Type `query` into the search box key by key; the addresses of the first results."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query)
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    try:
        results.first.wait_for(timeout=5000)
    except PlaywrightTimeout:  # no result at all: a miss, reported by the caller
        return []
    # The list is redrawn as the search worker answers each keystroke, in order: wait until
    # it has stayed the same for 200 ms (at most 5 s), so a slow machine's answer to the
    # last key is not mistaken for the one before it.
    seen: list[list[str]] = []
    for _ in range(50):
        seen.append(results.evaluate_all("links => links.slice(0, 3).map(a => a.href)"))
        if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]:
            break
        page.wait_for_timeout(100)
    return seen[-1]


def test_search_finds_what_reviewers_type(page: Page, served: str) -> None:
    page.goto(served)
    page.keyboard.press("/")  # Material's shortcut: the search box, from the keyboard
    misses = []
    by_id = catalogue().by_id()
    for query, expected in QUERIES:
        top = [urlsplit(url).path for url in search(page, query)]
        if not any(path.startswith("/" + by_id[expected].url) for path in top):
            misses.append(f"{query!r}: wanted {expected}, got {top}")
    assert misses == [], "\n".join(misses)


def test_search_and_open_a_practice_with_the_keyboard_alone(page: Page, served: str) -> None:
    page.goto(served)
    page.keyboard.press("/")
    page.keyboard.type("run_in_threadpool")
    page.locator(".md-search-result__item").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/run-sync-sdks-in-the-thread-pool/.*"))
