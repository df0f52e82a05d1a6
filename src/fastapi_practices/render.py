"""Markdown and HTML the site shows, written from the catalogue: nothing here is typed by hand."""

from __future__ import annotations

import html

from fastapi_practices.catalogue import Catalogue, Practice
from fastapi_practices.model import Category, Measurements, ReferenceKind


def inline_code(text: str) -> str:
    """The one bit of Markdown a summary uses, `code`, as HTML; everything else escaped."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: a `|` would start a new column."""
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue_table(catalogue: Catalogue, from_page: str) -> str:
    """One table per category listing every practice, linked relative to `from_page`."""
    prefix = "../" * from_page.count("/")
    lines = []
    for category in Category:
        members = [p for p in catalogue.practices if p.meta.category == category]
        if not members:
            continue
        lines += [
            f"## {category.label} {{#{category.value}}}",
            "",
            "| ID | Practice | The rule in one line |",
            "| --- | --- | --- |",
        ]
        for p in members:
            link = f"{prefix}{p.src_path}"
            lines.append(
                f"| [{p.id}]({link}) | [{table_cell(p.meta.title)}]({link}) "
                f"| {table_cell(p.meta.summary)} |"
            )
        lines.append("")
    used = {p.meta.category for p in catalogue.practices}
    lines.append(f"{len(catalogue.practices)} practices in {len(used)} categories.")
    return "\n".join(lines)


def references(practice: Practice) -> str:
    """The References section, grouped by kind, from the front matter."""
    lines = ["## References {#references}", ""]
    for kind in ReferenceKind:
        refs = [r for r in practice.meta.references if r.kind == kind]
        if refs:
            lines += [f"**{kind.heading}**", ""]
            lines += [f"- [{r.title}]({r.url})" for r in refs]
            lines.append("")
    return "\n".join(lines)


def measurements(data: Measurements | None) -> str:
    """The Proof section's table of recorded figures, with the releases they were measured on."""
    if data is None:
        return ""
    env = data.environment
    return "\n".join(
        [
            "| Measured | Value |",
            "| --- | --- |",
            *(f"| {table_cell(f.label)} | **{table_cell(f.display)}** |" for f in data.figures),
            "",
            f"<small>Recorded by `{data.command}` on {data.recorded.isoformat()} with FastAPI "
            f"{env.fastapi}, Pydantic {env.pydantic}, Starlette {env.starlette}, "
            f"uvicorn {env.uvicorn}, Python {env.python} ({env.cpus} cores). The test "
            "asserts the claim with generous margins on every run; these are the figures it "
            "saw.</small>",
        ]
    )
