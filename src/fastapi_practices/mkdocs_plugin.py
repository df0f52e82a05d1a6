"""The MkDocs plugin (`plugins: - fastapi-practices`): the only module that imports mkdocs.

It refuses to build a malformed catalogue, adds a short link `/p/<ID>/` for every practice,
fills the practice header (with the review comment and short link its copy buttons copy),
the catalogue table, the measured figures, the "What changes" diff and the References
section, names and orders the navigation as the catalogue does, and writes the catalogue
for machines (`practices.json` and its schema, `llms.txt`, `llms-full.txt`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from fastapi_practices import render
from fastapi_practices.catalogue import (
    CATALOGUE_MARKER,
    CATEGORIES_MARKER,
    CHECKER_EXAMPLE_MARKER,
    MATRIX_MARKER,
    MEASUREMENTS_MARKER,
    RULES_MARKER,
    Catalogue,
    load_catalogue,
)
from fastapi_practices.model import Category

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation, Section
    from mkdocs.structure.pages import Page


class CataloguePluginConfig(Config):
    """Options under `plugins: - fastapi-practices:`."""

    root = config_options.Optional(config_options.Dir(exists=True))
    """The catalogue's root folder; by default the folder holding mkdocs.yml."""
    short_links = config_options.Type(bool, default=True)
    """Add `/p/<ID>/` redirects (needs the `redirects` plugin listed before this one)."""


class CataloguePlugin(BasePlugin[CataloguePluginConfig]):
    """Reads and checks the catalogue once per build and renders it into the pages."""

    def __init__(self) -> None:
        self.catalogue: Catalogue | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(self.config.root or Path(config.config_file_path).parent).resolve()
        catalogue = load_catalogue(root)
        if catalogue.errors:
            raise PluginError(
                "The practice catalogue is malformed:\n  " + "\n  ".join(catalogue.errors)
            )
        self.catalogue = catalogue
        if self.config.short_links:
            redirects = config.plugins.get("redirects")
            if redirects is None:
                raise PluginError(
                    "fastapi-practices: short_links needs the 'redirects' plugin "
                    "(mkdocs-redirects) in mkdocs.yml's plugins"
                )
            maps = redirects.config["redirect_maps"]
            for practice in catalogue.practices:
                # /p/FBP201/ is the short, permanent link reviewers paste into code review.
                maps[f"p/{practice.id}.md"] = practice.src_path
        return config

    def _catalogue(self) -> Catalogue:
        if self.catalogue is None:
            raise PluginError("fastapi-practices: on_config did not run")
        return self.catalogue

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        catalogue = self._catalogue()
        if CATALOGUE_MARKER in markdown:
            markdown = markdown.replace(
                CATALOGUE_MARKER, render.catalogue_table(catalogue, page.file.src_uri)
            )
        markdown = markdown.replace(CATEGORIES_MARKER, render.categories_table())
        if CHECKER_EXAMPLE_MARKER in markdown:
            markdown = markdown.replace(
                CHECKER_EXAMPLE_MARKER,
                render.checker_example(catalogue, config.site_url or "/"),
            )
        if RULES_MARKER in markdown:
            markdown = markdown.replace(
                RULES_MARKER, render.rules_reference(catalogue, page.file.src_uri)
            )
        if MATRIX_MARKER in markdown:
            markdown = markdown.replace(
                MATRIX_MARKER, render.matrix_table(catalogue, page.file.src_uri)
            )
        practice = catalogue.by_src_path().get(page.file.src_uri)
        if practice is None:
            return markdown
        figures = practice.measurements
        # Its one search entry is written from the catalogue (`render.search_entry`).
        page.meta["search"] = {"exclude": True}
        page.meta["category_label"] = Category(practice.meta.category).label
        page.meta["short_url"] = practice.short_url
        page.meta["short_link"] = render.absolute(config.site_url or "/", practice.short_url)
        page.meta["review_comment"] = render.review_comment(practice, config.site_url or "/")
        page.meta["summary_html"] = render.inline_code(practice.meta.summary)
        verified = render.verified_range(practice, catalogue.matrix)
        if verified:
            page.meta["verified_on"], page.meta["holds"] = verified
        elif figures:
            page.meta["verified_on"], page.meta["holds"] = figures.environment.fastapi, True
        page.meta["versions_html"] = render.versions(practice, catalogue.matrix)
        markdown = markdown.replace(
            MEASUREMENTS_MARKER, render.measurements(figures) + "\n\n" + render.CHART_MARKER
        )
        markdown = render.with_changes_tab(markdown, practice)
        detected = render.detected_by(practice, page.file.src_uri)
        markdown = markdown.rstrip() + "\n\n" + (detected + "\n" if detected else "")
        return markdown + render.references(practice) + "\n"

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Mark the bad and good tabs and code blocks, for the icons and colours of
        assets/practice.css."""
        practice = self._catalogue().by_src_path().get(page.file.src_uri)
        if practice is None:
            return html
        html = render.with_chart(html, practice)
        return render.mark_bad_and_good(html)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Patch the accessibility faults axe-core finds in Material's markup, and drop
        the stylesheets a page does not use."""
        return render.without_unused_stylesheets(render.accessibility_fixes(output))

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the catalogue for machines: `practices.json` with its JSON Schema, and
        `llms.txt` and `llms-full.txt` (llmstxt.org)."""
        catalogue = self._catalogue()
        site = Path(config.site_dir)
        site_url = config.site_url or "/"
        name, description = config.site_name, config.site_description or ""
        record = render.export(catalogue, name, site_url)
        outputs = {
            "practices.json": render.export_json(record),
            render.SCHEMA_FILE: render.export_schema(),
            "llms.txt": render.llms_txt(catalogue, name, site_url, description),
            "llms-full.txt": render.llms_full_txt(catalogue, name, site_url, description),
        }
        for file_name, text in outputs.items():
            (site / file_name).write_text(text, encoding="utf-8")
        self._feed_search_index(site / "search" / "search_index.json")

    def _feed_search_index(self, index_file: Path) -> None:
        """Cut the index the `search` plugin (listed first) wrote to what finds a rule:
        see `render.lean_search_index`."""
        if not index_file.is_file():
            raise PluginError(
                f"fastapi-practices: {index_file} is missing; list 'search' before "
                "'fastapi-practices' in mkdocs.yml's plugins"
            )
        index = json.loads(index_file.read_text(encoding="utf-8"))
        index = render.lean_search_index(index, self._catalogue().practices)
        index_file.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Name the category sections as the catalogue does, and list everything in ID order."""
        by_path = self._catalogue().by_src_path()
        order = list(Category)
        for item in nav.items:
            if not (item.is_section and item.title.lower() == "practices"):
                continue
            sections: list[Section] = [s for s in item.children if s.is_section]  # type: ignore[misc]
            for section in sections:
                category = _category_of(section)
                if category is None:
                    continue
                section.title = category.label
                section.children.sort(
                    key=lambda child: (
                        by_path[child.file.src_uri].id  # type: ignore[union-attr]
                        if getattr(child, "file", None) and child.file.src_uri in by_path
                        else "~"
                    )
                )
            item.children.sort(
                key=lambda s: order.index(c) if (c := _category_of(s)) is not None else len(order)
            )
        return nav


def _category_of(section: object) -> Category | None:
    """The category a nav section holds, from the folder of its first page."""
    for child in getattr(section, "children", None) or []:
        file = getattr(child, "file", None)
        if file is not None:
            folder = Path(file.src_uri).parent.name
            return Category(folder) if folder in set(Category) else None
    return None
