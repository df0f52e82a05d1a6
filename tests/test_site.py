"""The strict site build: it passes, keeps every published URL, and loads nothing external."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fastapi_practices.testing.project import ROOT, catalogue

PUBLISHED = ROOT / "tests" / "published_urls.txt"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"
    return out


def page(site: Path, url: str) -> str:
    return (
        (site / url.strip("/") / "index.html").read_text()
        if url.strip("/")
        else (site / "index.html").read_text()
    )


def test_every_published_url_still_resolves(site: Path) -> None:
    """URLs never break: a moved page needs a redirect from its old address."""
    published = [
        line.strip()
        for line in PUBLISHED.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = [
        url
        for url in published
        if not (site / url.strip("/") / "index.html").is_file()
        and not (url == "/" and (site / "index.html").is_file())
    ]
    assert missing == [], f"published URLs no longer in the site (add a redirect): {missing}"


def test_every_practice_url_is_published(site: Path) -> None:
    """A new practice's URLs join tests/published_urls.txt, so they are guarded from then on."""
    published = set(PUBLISHED.read_text().split())
    for practice in catalogue().practices:
        for url in (f"/{practice.src_path.removesuffix('.md')}/", f"/p/{practice.id}/"):
            assert url in published, f"{url} ({practice.id}) is missing from {PUBLISHED.name}"


def test_short_link_redirects_to_the_practice(site: Path) -> None:
    for practice in catalogue().practices:
        html = page(site, f"/p/{practice.id}/")
        target = practice.src_path.removesuffix(".md")
        assert re.search(rf'http-equiv="refresh" content="0; url=[./]*{re.escape(target)}/"', html)


def test_practice_page_has_header_code_and_references(site: Path) -> None:
    for practice in catalogue().practices:
        html = page(site, practice.src_path.removesuffix(".md"))
        assert f'data-practice="{practice.id}"' in html
        assert practice.meta.category in html or "fbp-header__category" in html
        assert 'id="references"' in html
        for ref in practice.meta.references:
            assert str(ref.url).replace("&", "&amp;") in html
        # The snippets were included: their code is on the page, not just the include line.
        assert "--8&lt;--" not in html and "--8<--" not in html
        assert "FastAPI" in html and "app" in html


def test_catalogue_lists_every_practice(site: Path) -> None:
    html = page(site, "catalogue")
    for practice in catalogue().practices:
        assert practice.id in html
        assert practice.meta.title.replace("'", "&#39;") in html or practice.meta.title in html


class _ExternalLoads(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        url = None
        if tag in {"script", "img", "iframe", "source", "audio", "video"}:
            url = attr.get("src")
        elif tag == "link" and attr.get("rel") not in {"canonical", "alternate"}:
            url = attr.get("href")
        if url and re.match(r"^(https?:)?//", url):
            self.found.append(f"<{tag}> {url}")


def test_site_loads_nothing_from_outside(site: Path) -> None:
    offenders = {}
    for html in site.rglob("*.html"):
        parser = _ExternalLoads()
        parser.feed(html.read_text())
        if parser.found:
            offenders[str(html.relative_to(site))] = parser.found
    for css in site.rglob("*.css"):
        urls = re.findall(r"url\((['\"]?)(https?:)?//", css.read_text())
        if urls:
            offenders[str(css.relative_to(site))] = ["url(//...)"]
    assert offenders == {}
