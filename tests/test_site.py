"""The strict site build: it passes, keeps every published URL, and loads nothing external."""

from __future__ import annotations

import gzip
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema

from fastapi_practices.catalogue import bad_and_good_pairs, included_lines
from fastapi_practices.render import inline_code
from fastapi_practices.testing.project import ROOT, catalogue

PUBLISHED = ROOT / "tests" / "published_urls.txt"


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
    for html_file in site.rglob("*.html"):
        parser = _ExternalLoads()
        parser.feed(html_file.read_text())
        if parser.found:
            offenders[str(html_file.relative_to(site))] = parser.found
    for css in site.rglob("*.css"):
        urls = re.findall(r"url\((['\"]?)(https?:)?//", css.read_text())
        if urls:
            offenders[str(css.relative_to(site))] = ["url(//...)"]
    assert offenders == {}


def test_practices_json_follows_its_schema_and_the_catalogue(site: Path, site_url: str) -> None:
    data = json.loads((site / "practices.json").read_text())
    schema = json.loads((site / "practices.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["$schema"] == site_url + "practices.schema.json"
    practices = {p.id: p for p in catalogue().practices}
    assert [p["id"] for p in data["practices"]] == sorted(practices)
    for entry in data["practices"]:
        practice = practices[entry["id"]]
        assert entry["title"] == practice.meta.title
        assert entry["summary"] == practice.meta.summary
        assert entry["tags"] == practice.meta.tags
        assert [r["url"] for r in entry["references"]] == [
            str(r.url) for r in practice.meta.references
        ]
        # Both addresses are public ones, and both lead to the page in this build.
        for key, path in (("url", practice.url), ("short_url", practice.short_url)):
            assert entry[key] == site_url + path
            assert (site / path / "index.html").is_file()
        assert entry["review_comment"] == f"[{entry['id']}: {entry['title']}]({entry['short_url']})"
        figures = practice.measurements
        assert entry["verified_on"] == (figures.environment.fastapi if figures else None)


def test_llms_txt_lists_every_practice_and_llms_full_carries_their_code(
    site: Path, site_url: str
) -> None:
    short = (site / "llms.txt").read_text()
    full = (site / "llms-full.txt").read_text()
    assert short.startswith("# FastAPI Best Practices, verified\n\n> ")
    for practice in catalogue().practices:
        link = f"- [{practice.id}: {practice.meta.title}]({site_url}{practice.url}): "
        assert link + practice.meta.summary in short
        assert f"# {practice.id}: {practice.meta.title}\n" in full
        for include in practice.snippet_includes():
            path, _, section = include.partition(":")
            code = [line for line in included_lines(ROOT / path, section) if line.strip()]
            assert code[-1] in full, f"{include} is not written into llms-full.txt"
    assert "--8<--" not in full and "<!-- measurements -->" not in full


def test_copy_buttons_carry_the_review_comment_and_the_short_link(
    site: Path, site_url: str
) -> None:
    for practice in catalogue().practices:
        buttons = re.findall(
            r'<button type="button" class="fbp-copy" data-clipboard-text="([^"]*)"',
            page(site, practice.url),
        )
        short = f"{site_url}p/{practice.id}/"
        assert [html.unescape(b) for b in buttons] == [
            f"[{practice.id}: {practice.meta.title}]({short})",
            short,
        ]


def test_what_changes_shows_every_changed_line(site: Path) -> None:
    for practice in catalogue().practices:
        text = html.unescape(re.sub(r"<[^>]+>", "", page(site, practice.url)))
        assert "What changes" in text, practice.id
        for bad, good in bad_and_good_pairs(practice):
            files = (
                [(bad, good)]
                if bad.is_file()
                else [(bad / p.relative_to(good), p) for p in good.rglob("*.py")]
            )
            for old, new in files:
                before = set(old.read_text().splitlines()) if old.is_file() else set()
                for line in new.read_text().splitlines():
                    # Snippet section markers are not code: the diff leaves them out.
                    if re.match(r"\s*# --8<-- \[(start|end):", line):
                        continue
                    if line.strip() and line not in before:
                        assert f"+{line}" in text, f"{practice.id}: {new.name}: {line!r}"


def test_bad_and_good_are_marked_beyond_their_colour(site: Path) -> None:
    for practice in catalogue().practices:
        body = page(site, practice.url)
        labels = re.findall(
            r'<label(?: class="([^"]*)")? for="__tabbed_[^"]*">'
            r'(?:<span class="fbp-mark" aria-hidden="true">[^<]*</span> )?([^<]*)',
            body,
        )
        for css_class, label in labels:
            for word, expected in (("Bad", "fbp-tab--bad"), ("Good", "fbp-tab--good")):
                if label.startswith(word):
                    assert css_class == expected, f"{practice.id}: tab {label!r}"
        assert any(c == "fbp-tab--diff" for c, _ in labels), practice.id
        # An icon as well as a colour: red and green are never the only difference.
        assert '<span class="fbp-mark" aria-hidden="true">\u2717</span> Bad' in body
        assert '<span class="fbp-mark" aria-hidden="true">\u2713</span> Good' in body


def test_search_index_carries_each_practice_once_and_lightly(site: Path) -> None:
    """Every first visit downloads the index: a practice is one entry (title, summary, tags,
    ID, search terms), adds at most 1 KB gzip, and the pages that only list practices again
    are not in it."""
    index = json.loads((site / "search" / "search_index.json").read_text())
    docs = index["docs"]
    assert index["config"]["fields"]["terms"]["boost"] > index["config"]["fields"]["title"]["boost"]
    assert not [d for d in docs if d["location"].split("#")[0] in ("tags/", "catalogue/")]

    def gzipped(entries: list[dict[str, object]]) -> int:
        body = json.dumps({**index, "docs": entries}, separators=(",", ":")).encode()
        return len(gzip.compress(body, compresslevel=6))

    whole = gzipped(docs)
    for practice in catalogue().practices:
        own = [d for d in docs if d["location"].split("#")[0] == practice.url]
        assert [d["location"] for d in own] == [practice.url], practice.id
        assert own[0]["terms"] == [practice.id, *practice.meta.search_terms]
        assert own[0]["text"] == inline_code(practice.meta.summary), practice.id
        growth = whole - gzipped([d for d in docs if d not in own])
        assert growth <= 1024, f"{practice.id} adds {growth} bytes gzip to the search index"
