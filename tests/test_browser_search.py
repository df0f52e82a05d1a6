"""Search in a real Chromium: what reviewers type, key by key, finds the practice.

Material's own search, with the index the build feeds each practice's ID, summary and
search terms (front matter `search_terms`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
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


# Counts what the page asks Material's search worker and what it answers (message types 2,
# query, and 3, result, of Material 9's worker protocol), before any of the page's scripts
# run. The worker answers queries in order, so once it has answered as many as were sent,
# the last of them typed, the results shown are those of the whole query.
WATCH_SEARCH_WORKER = """
(() => {
  const seen = (window.__fbpSearch = { sent: 0, answered: 0, last: null });
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data && event.data.type === 3) seen.answered += 1;
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) {
        seen.sent += 1;
        seen.last = message.data;
      }
      return super.postMessage(message, ...rest);
    }
  };
})();
"""
ANSWERED = (
    "q => window.__fbpSearch.last === q && window.__fbpSearch.answered === window.__fbpSearch.sent"
)
NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture
def page(page: Page) -> Page:
    page.add_init_script(WATCH_SEARCH_WORKER)
    return page


def search(page: Page, query: str) -> list[str]:
    """Type `query` into the search box key by key; the addresses of the first results,
    once the search worker has answered the last key (at most 5 s)."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query)
    try:
        page.wait_for_function(ANSWERED, arg=query, timeout=5000)
    except PlaywrightTimeout:  # never answered: a miss, reported by the caller
        return []
    page.evaluate(NEXT_FRAMES)  # the answer drawn
    results = page.locator(".md-search-result__item > a.md-search-result__link")
    return results.evaluate_all("links => links.slice(0, 3).map(a => a.href)")


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
