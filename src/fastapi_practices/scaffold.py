"""`fastapi-practices new`: write a new practice's four files from the templates.

The scaffold is valid from the start (`validate` and the strict build accept it), so a
contributor sees the page in `make serve` at once; its behaviour test fails with a message
saying what to write, and `tests/test_integrity.py` refuses a page that still carries the
scaffold's comment, so an unfinished practice cannot pass `make test`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from pydantic import ValidationError

from fastapi_practices.catalogue import DECLARED_ID, PUBLISHED_URLS, test_file_for
from fastapi_practices.model import Category, FrontMatter

SCAFFOLD_MARKER = "<!-- fastapi-practices new:"
"""The comment a scaffolded page starts with until its author removes it."""
DEFAULT_SUMMARY = "Say the rule in one line: what to do, and what goes wrong otherwise."
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PUBLISHED_ID = re.compile(r"^/p/(FBP\d{3})/$", re.M)


class ScaffoldError(ValueError):
    """The practice cannot be created as asked; the message says what to change."""


@dataclass(frozen=True)
class NewPractice:
    """What `create_practice` wrote."""

    id: str
    category: Category
    slug: str
    files: tuple[Path, ...]


def slugify(title: str) -> str:
    """`Don't block the event loop` -> `dont-block-the-event-loop`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"['’`]", "", ascii_title.lower())
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-")


def used_ids(root: Path) -> set[str]:
    """Every ID a page declares, a figures file carries or a short link ever published:
    an ID is never given twice, even after its practice was removed."""
    ids = set()
    for page in (root / "docs" / "practices").glob("**/*.md"):
        ids.update(DECLARED_ID.findall(page.read_text(encoding="utf-8")))
    ids.update(path.stem for path in (root / "tests" / "measurements").glob("FBP*.json"))
    listing = root / PUBLISHED_URLS
    if listing.is_file():
        ids.update(_PUBLISHED_ID.findall(listing.read_text(encoding="utf-8")))
    return ids


def next_id(root: Path, category: Category) -> str:
    """The lowest ID above every one used in the category's range."""
    base = category.hundreds * 100
    digit = str(category.hundreds)
    taken = [int(i[3:]) for i in used_ids(root) if re.fullmatch(rf"FBP{digit}\d\d", i)]
    number = max(taken, default=base) + 1
    if number > base + 99:
        raise ScaffoldError(f"category '{category}' has no free ID left in FBP{base // 100}xx")
    return f"FBP{number}"


def _render(name: str, **values: str) -> str:
    template = files("fastapi_practices").joinpath("templates", "new", f"{name}.tmpl")
    return Template(template.read_text(encoding="utf-8")).substitute(values)


def create_practice(
    root: Path,
    category: str,
    title: str,
    *,
    summary: str | None = None,
    slug: str | None = None,
) -> NewPractice:
    """Write the page, `bad.py`, `good.py` and the behaviour test of a new practice, and add
    its two addresses to `tests/published_urls.txt`. Writes nothing when any check fails."""
    try:
        chosen = Category(category)
    except ValueError:
        raise ScaffoldError(
            f"category '{category}' is not one of: {', '.join(c.value for c in Category)}"
        ) from None
    title = " ".join(title.split())
    slug = slug or slugify(title)
    if not SLUG.match(slug):
        raise ScaffoldError(
            f"slug '{slug}' must be lower-case words joined by '-' (give one with --slug)"
        )
    practice_id = next_id(root, chosen)
    fields = {
        "id": practice_id,
        "title": title,
        "summary": summary or DEFAULT_SUMMARY,
        "category": chosen.value,
        "tags": [chosen.value],
        "references": [
            {
                "title": "FastAPI documentation",
                "url": "https://fastapi.tiangolo.com/",
                "kind": "docs",
            }
        ],
    }
    try:
        FrontMatter.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {e['input']!r})" for e in exc.errors()
        )
        raise ScaffoldError(problems) from None

    module = slug.replace("-", "_")
    page = root / "docs" / "practices" / chosen.value / f"{slug}.md"
    snippets = root / "snippets" / chosen.value / slug
    test = test_file_for(root, slug)
    taken = [path for path in (page, snippets, test) if path.exists()]
    taken += [p for p in (root / "docs" / "practices").glob(f"*/{slug}.md") if p != page]
    if taken:
        names = ", ".join(sorted({p.relative_to(root).as_posix() for p in taken}))
        raise ScaffoldError(
            f"slug '{slug}' is taken ({names}); choose another title or give --slug"
        )

    values = {
        "id": practice_id,
        # JSON strings are YAML strings: any title or summary is quoted safely.
        "title": json.dumps(title, ensure_ascii=False),
        "summary": json.dumps(fields["summary"], ensure_ascii=False),
        "category": chosen.value,
        "slug": slug,
        "module": module,
    }
    written = {
        page: _render("page.md", **values),
        snippets / "bad.py": _render("bad.py", **values),
        snippets / "good.py": _render("good.py", **values),
        test: _render("test.py", **values),
    }
    for path, text in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    listing = root / PUBLISHED_URLS
    if listing.is_file():
        text = listing.read_text(encoding="utf-8")
        new_lines = f"/practices/{chosen.value}/{slug}/\n/p/{practice_id}/\n"
        listing.write_text(text + ("" if text.endswith("\n") else "\n") + new_lines)
        written[listing] = new_lines
    return NewPractice(practice_id, chosen, slug, tuple(written))
