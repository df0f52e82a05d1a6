"""`make bench` (second part): the site against a plain Material site of 100 generated
pages, built by the same mkdocs on the same machine in the same run.

Run from the project root: `python -m fastapi_practices.tools.site_bench`. It reports, side
by side (timings on these machines only mean something as ratios):

- build: strict build time per page beyond a one-page Material site's start-up;
- weight: bytes a first visit to a practice page transfers, each response gzipped as a
  static host would serve it, every request counted; and the search index's share;
- search: time from the last keystroke to the last change of the results list, median and
  maximum over the queries;
- Lighthouse's performance and accessibility scores and total blocking time, median and
  range of five runs, when `lighthouse` is on PATH or in $LIGHTHOUSE
  (`npm i -E lighthouse@12.2.3`); otherwise it says it skipped them.

A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fastapi_practices.catalogue import find_root, load_catalogue
from fastapi_practices.testing.browser import CHROMIUM_FLAGS, chromium_path, serve_folder

ROOT = find_root()
OUR_QUERIES = [
    "FBP201",
    "time.sleep",
    "run_in_threadpool",
    "json_encoders",
    "openapi_url",
    "use_cache",
    "requests are processed one at a time",
    "my endpoint is slow under load",
    "dependency runs twice",
    "naming_convention",
    "n+1 queries",
    "docs visible in production",
]
WORDS = [
    *("request", "response", "route", "dependency", "database", "session", "engine"),
    *("pool", "thread", "loop", "settings", "model", "validator", "schema"),
    *("migration", "index", "constraint", "client", "server", "latency"),
]


def _env() -> dict[str, str]:
    return {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def build_seconds(config_dir: Path, site_dir: Path, runs: int = 3) -> float:
    """Best of `runs` strict builds of the site whose mkdocs.yml is in `config_dir`."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site_dir)],
            cwd=config_dir,
            env=_env(),
            check=True,
            capture_output=True,
        )
        best = min(best, time.perf_counter() - start)
    return best


def plain_site(folder: Path, pages: int) -> Path:
    """A plain Material site of `pages` generated pages (prose, a heading, a code block)."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(
        "site_name: Plain\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n"
        "markdown_extensions:\n  - pymdownx.highlight\n  - pymdownx.superfences\n"
    )
    for n in range(pages):
        words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(180))
        (docs / ("index.md" if n == 0 else f"page-{n:03d}.md")).write_text(
            f"# Page {n}\n\n{words}\n\n## Section {n}\n\n{words}\n\n"
            f"```python\ndef handler_{n}(request):\n    return {{'page': {n}}}\n```\n"
        )
    return folder


def first_visit_bytes(browser, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Gzipped bytes of every response a first visit to `url` receives, and the search
    index's share of them."""
    context = browser.new_context()
    page = context.new_page()
    bodies: list[tuple[str, bytes]] = []
    page.on("requestfinished", lambda r: bodies.append((r.url, r.response().body())))
    page.goto(url, wait_until="networkidle")
    context.close()
    sizes = {u: len(gzip.compress(b, compresslevel=6)) for u, b in bodies}
    index = sum(s for u, s in sizes.items() if u.endswith("search_index.json"))
    return sum(sizes.values()), index


def search_latencies(browser, url: str, queries: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds from the last keystroke to the last change of the results list."""
    page = browser.new_context().new_page()
    page.goto(url, wait_until="networkidle")
    page.keyboard.press("/")
    out = []
    for query in queries:
        box = page.locator("input.md-search__input")
        box.fill("")
        page.wait_for_timeout(300)
        page.evaluate(
            """() => {
                window.__fbpLast = 0;
                const list = document.querySelector(".md-search-result__list");
                window.__fbpObserver?.disconnect();
                window.__fbpObserver = new MutationObserver(() => {
                    window.__fbpLast = performance.now();
                });
                window.__fbpObserver.observe(list, {childList: true, subtree: true});
            }"""
        )
        box.press_sequentially(query[:-1])
        page.wait_for_timeout(300)  # the results for all but the last key are drawn
        start = page.evaluate("() => performance.now()")
        page.keyboard.press(query[-1] if query[-1] != " " else "Space")
        page.wait_for_timeout(600)  # long past any redraw; the observer kept the last one
        last = page.evaluate("() => window.__fbpLast")
        if last > start:
            out.append(last - start)
    page.context.close()
    return out


LIGHTHOUSE_RUNS = 5  # one run's performance score moves by several points on a busy VM


def lighthouse(url: str) -> dict[str, float] | str:
    """One Lighthouse run (its default, mobile): the performance and accessibility scores
    and total blocking time (ms); or why there are none."""
    binary = os.environ.get("LIGHTHOUSE")
    if not binary or not Path(binary).is_file():
        binary = shutil.which("lighthouse")
    path = chromium_path()
    if not binary or not path:
        return "skipped (set LIGHTHOUSE, or put lighthouse on PATH; and install chromium)"
    try:
        result = subprocess.run(
            [
                binary,
                url,
                "--quiet",
                "--output=json",
                "--only-categories=performance,accessibility",
                f"--chrome-path={path}",
                "--chrome-flags=--headless " + " ".join(CHROMIUM_FLAGS),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env={**os.environ, "CHROME_PATH": path},
        )
    except subprocess.TimeoutExpired:
        return "a run took more than 300 s"
    if result.returncode:
        return f"a run failed: {result.stderr[-1500:]}"
    report = json.loads(result.stdout)
    # Lighthouse gives a category no score, and an audit no value, when an audit errored.
    figures = {name: c.get("score") for name, c in report["categories"].items()}
    figures["tbt"] = report["audits"].get("total-blocking-time", {}).get("numericValue")
    missing = sorted(name for name, value in figures.items() if value is None)
    if missing:
        return f"a run gave no {', '.join(missing)}"
    return {name: value * (1 if name == "tbt" else 100) for name, value in figures.items()}


def lighthouse_summary(url: str, runs: int = LIGHTHOUSE_RUNS) -> str:
    """Median (min-max) of each figure over the Lighthouse runs that gave all of them, and
    why any did not."""
    results, failures = [], []
    for _ in range(runs):
        result = lighthouse(url)
        if isinstance(result, str):
            failures.append(result)
            if result.startswith("skipped"):
                return result
        else:
            results.append(result)
    parts = [f"{len(results)} of {runs} runs"]
    for key, unit in (("performance", ""), ("accessibility", ""), ("tbt", " ms")):
        values = [r[key] for r in results]
        if values:
            median = statistics.median(values)
            parts.append(f"{key} {median:.0f}{unit} ({min(values):.0f}-{max(values):.0f})")
    return ", ".join(parts + failures[:1])


def main() -> int:
    from playwright.sync_api import sync_playwright

    practices = load_catalogue(ROOT).practices
    ours_pages = sum(1 for _ in (ROOT / "docs").rglob("*.md"))
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        one = plain_site(tmp / "one", 1)
        hundred = plain_site(tmp / "hundred", 100)
        t_one = build_seconds(one, tmp / "one-site")
        t_hundred = build_seconds(hundred, tmp / "hundred-site")
        t_ours = build_seconds(ROOT, tmp / "ours-site")
        print("build (strict, best of 3):")
        print(f"  one-page Material site   {t_one:6.2f} s")
        print(
            f"  ours, {ours_pages} pages           {t_ours:6.2f} s  "
            f"{(t_ours - t_one) / ours_pages * 1000:5.0f} ms a page beyond start-up"
        )
        print(
            f"  plain, 100 pages         {t_hundred:6.2f} s  "
            f"{(t_hundred - t_one) / 100 * 1000:5.0f} ms a page beyond start-up"
        )
        path = chromium_path()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
            with (
                serve_folder(tmp / "ours-site") as ours,
                serve_folder(tmp / "hundred-site") as plain,
            ):
                page_url = ours + practices[0].url
                for practice in practices:
                    if practice.id == "FBP201":
                        page_url = ours + practice.url
                total, index = first_visit_bytes(browser, page_url)
                p_total, p_index = first_visit_bytes(browser, plain + "page-001/")
                print("first visit, gzip, every request:")
                for name, size, of_index in (
                    ("ours, FBP201", total, index),
                    ("plain page  ", p_total, p_index),
                ):
                    print(
                        f"  {name}  {size / 1024:6.1f} KB (search index {of_index / 1024:.1f} KB)"
                    )
                ours_ms = search_latencies(browser, ours, OUR_QUERIES)
                plain_ms = search_latencies(
                    browser, plain, [" ".join(WORDS[i : i + 2]) for i in range(0, 20, 2)]
                )
                print("search, last keystroke to last change of the results:")
                for name, values in (("ours ", ours_ms), ("plain", plain_ms)):
                    if values:
                        print(
                            f"  {name}  median {statistics.median(values):5.0f} ms, "
                            f"max {max(values):5.0f} ms over {len(values)} queries"
                        )
                print("lighthouse, median (min-max):")
                print(f"  ours, FBP201  {lighthouse_summary(page_url)}")
                print(f"  plain page    {lighthouse_summary(plain + 'page-001/')}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
