"""Markdown and HTML the site shows, written from the catalogue: nothing here is typed by hand."""

from __future__ import annotations

import difflib
import html
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi_practices.catalogue import (
    MEASUREMENTS_MARKER,
    SNIPPET_INCLUDE,
    Catalogue,
    Practice,
    bad_and_good_pairs,
    included_lines,
    source_files,
)
from fastapi_practices.checker.rules import all_rules
from fastapi_practices.model import (
    CatalogueRecord,
    Category,
    Matrix,
    Measurements,
    PracticeRecord,
    ReferenceKind,
    Verdict,
    VersionRecord,
)


def inline_code(text: str) -> str:
    """The one bit of Markdown a summary uses, `code`, as HTML; everything else escaped."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: a `|` would start a new column."""
    return text.replace("|", "\\|").replace("\n", " ")


def relative_link(from_page: str, to_page: str) -> str:
    """A Markdown link target from one docs/ page to another (both relative to docs/)."""
    return "../" * from_page.count("/") + to_page


def categories_table() -> str:
    """Every category with its ID range, from the model."""
    rows = [f"| `{c.value}` | {c.label} | FBP{c.hundreds}xx |" for c in Category]
    return "\n".join(["| Category | Name | IDs |", "| --- | --- | --- |", *rows])


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


def detected_by(practice: Practice, page_src: str) -> str:
    """The "Detected by" section of a practice that `fastapi-practices check` enforces:
    each rule's name, what it catches in one line and its known false positives, from the
    rule's own docstring (the rule reference has the rest), and the ruff rules that cover
    the cases the checker leaves to ruff. Empty for a practice without a rule."""
    rules = [rule for rule in all_rules() if rule.code == practice.id]
    if not rules:
        return ""
    reference = relative_link(page_src, "checker.md")
    lines = [
        "## Detected by {#detected-by}",
        "",
        f"[`fastapi-practices check`]({reference}) reports this practice in your own code:",
        "",
    ]
    for rule in rules:
        doc = rule.documentation()
        opt_in = " Opt-in: select it by its code or name." if not rule.default else ""
        lines.append(
            f"- [`{rule.name}`]({reference}#{rule.name}): {doc.summary}{opt_in} "
            f"*Known false positives:* {doc.false_positives}"
        )
    ruff = sorted({code for rule in rules for code in rule.ruff})
    if ruff:
        codes = ", ".join(f"`{code}`" for code in ruff)
        lines += ["", f"Ruff reports the simplest cases ({codes}); the checker leaves those to it."]
    return "\n".join(lines) + "\n"


def checker_example(catalogue: Catalogue, site_url: str, files: int = 2) -> str:
    """What `fastapi-practices check` prints for the `bad.py` of the first practices (by
    ID) in which it finds something, run at build time, as a `text` code block: the page
    shows real output, never a typed copy of it."""
    from fastapi_practices.checker.config import Config, select_rules
    from fastapi_practices.checker.engine import Checker
    from fastapi_practices.checker.formats import text

    config = Config(site_url=site_url, root=catalogue.root)
    checker = Checker(select_rules(all_rules(), config.select, config.ignore), config)
    shown: list[str] = []
    output = ""
    for practice in catalogue.practices:
        bad = practice.snippet_dir / "bad.py"
        report = checker.check_paths([bad]) if bad.is_file() else None
        if report and report.findings:
            shown.append(bad.relative_to(catalogue.root).as_posix())
            # As run from the checkout's root, wherever the build runs.
            output += text([replace(f, path=shown[-1]) for f in report.findings])
        if len(shown) == files:
            break
    if not shown:
        return "*(No `bad.py` of this catalogue has a finding to show.)*"
    return f"```text\n$ fastapi-practices check {' '.join(shown)}\n{output}```"


def rules_reference(catalogue: Catalogue, page_src: str) -> str:
    """Every rule of `fastapi-practices check` whose practice is in the catalogue, from the
    rules' docstrings."""
    by_id = catalogue.by_id()
    lines: list[str] = []
    for rule in all_rules():
        doc = rule.documentation()
        practice = by_id.get(rule.code)
        if practice is None:
            # A catalogue that holds only some practices (a contributor's test copy): its
            # reference lists their rules. tests/checker holds every rule to a practice.
            continue
        title, link = practice.meta.title, relative_link(page_src, practice.src_path)
        flags = [
            "on by default" if rule.default else "opt-in",
            *(["informational (SARIF level note)"] if rule.informational else []),
        ]
        lines += [
            f"### `{rule.code}` {rule.name} {{#{rule.name}}}",
            "",
            f"{doc.summary} Practice: [{rule.code}: {title}]({link}); {', '.join(flags)}.",
            "",
            f"**Catches:** {doc.catches}",
            "",
            f"**Known false positives:** {doc.false_positives}",
            "",
        ]
        if rule.ruff:
            codes = ", ".join(f"`{code}`" for code in rule.ruff)
            lines += [f"**Left to ruff:** {codes}.", ""]
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


# ---------------------------------------------------------------- what changes


CHART_MARKER = "<!-- fbp-chart -->"


def with_chart(page_html: str, practice: Practice) -> str:
    """The practice's chart (tests/measurements/<ID>.svg), inline where its figures are, so
    its text and bars take the page's colours; its title is the text alternative."""
    chart = practice.measurements_file.with_suffix(".svg")
    if CHART_MARKER not in page_html:
        return page_html
    if not chart.is_file():
        return page_html.replace(CHART_MARKER, "")
    figure = (
        f'<figure class="fbp-chart">{chart.read_text(encoding="utf-8")}'
        "<figcaption>Drawn from the figures above when they were recorded.</figcaption>"
        "</figure>"
    )
    return page_html.replace(CHART_MARKER, figure, 1)


_VERDICT = {
    Verdict.HOLDS: ("holds", "✓", "holds"),
    Verdict.FAILS: ("fails", "✗", "fails"),
    Verdict.NOT_APPLICABLE: ("na", "–", "not applicable"),
    None: ("none", "?", "not run"),
}


def versions(practice: Practice, matrix: Matrix | None) -> str:
    """The practice's row of the version matrix: one cell per FastAPI release it ran on, each
    with the verdict of that run, straight from tests/matrix.json."""
    if matrix is None or not any(practice.id in p.results for p in matrix.points):
        return (
            '<div class="fbp-versions fbp-versions--none">Not yet run on the version matrix '
            "(<code>make test-matrix</code>).</div>"
        )
    cells = []
    for point in matrix.points:
        cell = point.results.get(practice.id)
        css, mark, word = _VERDICT[cell.verdict if cell else None]
        env = point.environment
        context = (
            f"Starlette {env.starlette}, Pydantic {env.pydantic}, uvicorn {env.uvicorn}, "
            f"Python {env.python}; run {point.ran.isoformat()}"
        )
        detail = (
            f'<span class="fbp-cell__detail">{inline_code(cell.detail)}</span>'
            if cell and cell.detail
            else ""
        )
        cells.append(
            f'<li class="fbp-cell fbp-cell--{css}" title="{html.escape(context)}">'
            f'<span class="fbp-cell__version">{html.escape(env.fastapi)}</span> '
            f'<span class="fbp-cell__verdict"><span aria-hidden="true">{mark}</span> '
            f"{word}</span>{detail}</li>"
        )
    dates = sorted({p.ran.isoformat() for p in matrix.points})
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    return (
        '<div class="fbp-versions"><span class="fbp-versions__label">FastAPI</span>'
        f'<ul class="fbp-versions__cells">{"".join(cells)}</ul>'
        f'<span class="fbp-versions__when">tested {when}, <code>{html.escape(matrix.command)}'
        "</code></span></div>"
    )


def matrix_table(catalogue: Catalogue, from_page: str) -> str:
    """Every practice on every release of the version matrix, as one HTML table."""
    matrix = catalogue.matrix
    if matrix is None:
        return "The version matrix has not run yet (`make test-matrix`)."
    # Raw HTML is not rewritten by MkDocs: link from the page's own directory URL.
    depth = from_page.count("/") + (0 if from_page.rsplit("/", 1)[-1] == "index.md" else 1)
    head = "".join(
        f'<th scope="col">FastAPI {html.escape(p.environment.fastapi)}<br>'
        f"<small>Starlette {html.escape(p.environment.starlette)}, Pydantic "
        f"{html.escape(p.environment.pydantic)}, run {p.ran.isoformat()}</small></th>"
        for p in matrix.points
    )
    rows = []
    for practice in catalogue.practices:
        link = "../" * depth + practice.url
        cells = []
        for point in matrix.points:
            cell = point.results.get(practice.id)
            css, mark, word = _VERDICT[cell.verdict if cell else None]
            detail = html.escape(cell.detail) if cell and cell.detail else ""
            cells.append(
                f'<td class="fbp-cell--{css}" title="{detail}"><span aria-hidden="true">'
                f"{mark}</span> {word}</td>"
            )
        rows.append(
            f'<tr><th scope="row"><a href="{link}">{practice.id}</a> '
            f"{html.escape(practice.meta.title)}</th>{''.join(cells)}</tr>"
        )
    return (
        '<div class="fbp-matrix"><table><thead><tr><th scope="col">Practice</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def verified_range(practice: Practice, matrix: Matrix | None) -> tuple[str, bool] | None:
    """("0.115.14 to 0.165.0", True): the newest run of releases on which the practice
    holds, ending at the newest point; ("0.165.0", False) when it fails on the newest."""
    if matrix is None:
        return None
    ran = [(p, p.results[practice.id]) for p in matrix.points if practice.id in p.results]
    if not ran:
        return None
    newest_point, newest = ran[-1]
    if newest.verdict != Verdict.HOLDS:
        return newest_point.environment.fastapi, False
    first = newest_point
    for point, cell in reversed(ran):
        if cell.verdict != Verdict.HOLDS:
            break
        first = point
    if first is newest_point:
        return newest_point.environment.fastapi, True
    return f"{first.environment.fastapi} to {newest_point.environment.fastapi}", True


def _pair_files(bad: Path, good: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(bad name, good name, bad lines, good lines) for a file pair, or for every file of a
    folder pair (a file only one side has is compared with nothing)."""
    if bad.is_file():
        return [(bad.name, good.name, _lines(bad), _lines(good))]
    rels = sorted(source_files(bad).keys() | source_files(good).keys())
    return [
        (
            f"{bad.name}/{rel.as_posix()}",
            f"{good.name}/{rel.as_posix()}",
            _lines(bad / rel),
            _lines(good / rel),
        )
        for rel in rels
    ]


_SECTION_MARK = re.compile(r"\s*# --8<-- \[(start|end):")


def _lines(path: Path) -> list[str]:
    """A file's lines as the page shows them: snippet section markers are not code."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return [line for line in lines if not _SECTION_MARK.match(line)]


def changes(practice: Practice, context: int = 3) -> str:
    """The unified diff from each bad snippet to its good one, written at build time from the
    files themselves, so it cannot drift from them."""
    out: list[str] = []
    for bad, good in bad_and_good_pairs(practice):
        for bad_name, good_name, bad_lines, good_lines in _pair_files(bad, good):
            out += difflib.unified_diff(
                bad_lines, good_lines, bad_name, good_name, n=context, lineterm=""
            )
    return "\n".join(out)


BAD_AND_GOOD_HEADING = re.compile(r"^## Bad and good\b.*$", re.M)


def with_changes_tab(markdown: str, practice: Practice) -> str:
    """`markdown` with a "What changes" tab after the last tab of its "Bad and good"
    section (or at the section's end when it has no tabs)."""
    diff = changes(practice)
    heading = BAD_AND_GOOD_HEADING.search(markdown)
    if not diff or heading is None:
        return markdown
    lines = markdown.splitlines()
    start = markdown.count("\n", 0, heading.start())
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tabs = [i for i in range(start + 1, end) if lines[i].startswith("=== ")]
    insert_at = end
    if tabs:
        insert_at = tabs[-1] + 1
        while insert_at < end and (
            not lines[insert_at].strip() or lines[insert_at].startswith("    ")
        ):
            insert_at += 1
        while not lines[insert_at - 1].strip():  # before the blank lines that end the tab
            insert_at -= 1
    fence = "`" * max(3, _longest_backtick_run(diff) + 1)
    tab = [
        "",
        '=== "What changes"',
        "",
        f'    {fence}diff title="From bad to good"',
        *(f"    {line}" if line else "" for line in diff.splitlines()),
        f"    {fence}",
        "",
    ]
    return "\n".join(lines[:insert_at] + tab + lines[insert_at:]) + "\n"


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


# ---------------------------------------------------------------- review links


def absolute(site_url: str, path: str) -> str:
    """`path` (relative to the site's root) under the site's public address."""
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def review_comment(practice: Practice, site_url: str) -> str:
    """The Markdown line a reviewer pastes: `[FBP201: Title](<site>/p/FBP201/)`."""
    title = practice.meta.title.replace("[", "\\[").replace("]", "\\]")
    return f"[{practice.id}: {title}]({absolute(site_url, practice.short_url)})"


# ---------------------------------------------------------------- machine-readable


SCHEMA_FILE = "practices.schema.json"


def export(catalogue: Catalogue, site_name: str, site_url: str) -> CatalogueRecord:
    """The catalogue as `practices.json` publishes it."""
    records = []
    for p in sorted(catalogue.practices, key=lambda p: p.id):
        figures = p.measurements
        records.append(
            PracticeRecord(
                id=p.id,
                slug=p.slug,
                title=p.meta.title,
                summary=p.meta.summary,
                category=p.meta.category,
                category_label=Category(p.meta.category).label,
                tags=p.meta.tags,
                url=absolute(site_url, p.url),  # type: ignore[arg-type]
                short_url=absolute(site_url, p.short_url),  # type: ignore[arg-type]
                review_comment=review_comment(p, site_url),
                references=p.meta.references,
                verified_on=figures.environment.fastapi if figures else None,
                environment=figures.environment if figures else None,
                versions=[
                    VersionRecord(
                        fastapi=point.environment.fastapi,
                        environment=point.environment,
                        ran=point.ran,
                        verdict=point.results[p.id].verdict,
                        detail=point.results[p.id].detail,
                    )
                    for point in (catalogue.matrix.points if catalogue.matrix else [])
                    if p.id in point.results
                ],
            )
        )
    return CatalogueRecord.model_validate(
        {
            "$schema": absolute(site_url, SCHEMA_FILE),
            "name": site_name,
            "site_url": site_url,
            "practices": records,
        }
    )


def export_json(record: CatalogueRecord) -> str:
    return record.model_dump_json(by_alias=True, indent=2) + "\n"


def export_schema() -> str:
    """The JSON Schema `practices.json` follows, from the same model that writes it."""
    schema = CatalogueRecord.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2) + "\n"


def llms_txt(catalogue: Catalogue, site_name: str, site_url: str, description: str) -> str:
    """`llms.txt` (llmstxt.org): what the site is, and a link to every practice."""
    lines = [
        f"# {site_name}",
        "",
        f"> {description}",
        "",
        "Each practice has a permanent ID (FBP and three digits), a bad and a good example, "
        "and a behaviour test that checks what the page says against a live FastAPI. "
        f"The full text of every practice is in {absolute(site_url, 'llms-full.txt')}; the "
        f"same catalogue as JSON is {absolute(site_url, 'practices.json')}.",
        "",
    ]
    for category in Category:
        members = [p for p in catalogue.practices if p.meta.category == category]
        if not members:
            continue
        lines += [f"## {category.label}", ""]
        lines += [
            f"- [{p.id}: {p.meta.title}]({absolute(site_url, p.url)}): {p.meta.summary}"
            for p in sorted(members, key=lambda p: p.id)
        ]
        lines.append("")
    return "\n".join(lines)


def llm_text(practice: Practice, site_url: str) -> str:
    """A practice as plain Markdown: its page with the snippets and figures written in."""
    body = SNIPPET_INCLUDE.sub(lambda m: _included(practice, m), practice.body)
    body = body.replace(MEASUREMENTS_MARKER, measurements(practice.measurements))
    return "\n".join(
        [
            f"# {practice.id}: {practice.meta.title}",
            "",
            f"URL: {absolute(site_url, practice.url)}",
            "",
            f"> {practice.meta.summary}",
            "",
            body.strip(),
            "",
            references(practice),
        ]
    )


def _included(practice: Practice, match: re.Match[str]) -> str:
    # The pattern's leading \s* may also take the blank lines before the include: keep them.
    lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
    indent = lead.rsplit("\n", 1)[-1]
    path, _, section = match.group(1).partition(":")
    lines = included_lines(practice.root / path, section)
    return lead[: len(lead) - len(indent)] + "\n".join(
        indent + line if line else "" for line in lines
    )


def llms_full_txt(catalogue: Catalogue, site_name: str, site_url: str, description: str) -> str:
    """`llms-full.txt`: `llms.txt`'s header, then the full text of every practice."""
    header = llms_txt(catalogue, site_name, site_url, description).split("\n## ", 1)[0]
    parts = [header.rstrip()]
    parts += [llm_text(p, site_url) for p in sorted(catalogue.practices, key=lambda p: p.id)]
    return "\n\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------- bad and good markers

_TAB_LABEL = re.compile(r'<label for="(__tabbed_\d+_\d+)">(Bad|Good|What changes)\b')
_FILENAME = re.compile(r'<span class="filename">(bad|good)([^<]*)</span>')
_TAB_MARK = {
    "Bad": ("bad", "\u2717"),
    "Good": ("good", "\u2713"),
    "What changes": ("diff", "\u00b1"),
}


def mark_bad_and_good(page_html: str) -> str:
    """Classes on the tabs whose label starts with Bad, Good or What changes, and on the
    titles of code blocks from bad or good files."""

    def label(m: re.Match[str]) -> str:
        kind, mark = _TAB_MARK[m.group(2)]
        return (
            f'<label class="fbp-tab--{kind}" for="{m.group(1)}">'
            f'<span class="fbp-mark" aria-hidden="true">{mark}</span> {m.group(2)}'
        )

    page_html = _TAB_LABEL.sub(label, page_html)
    return _FILENAME.sub(
        lambda m: f'<span class="filename fbp-file--{m.group(1)}">{m.group(1)}{m.group(2)}</span>',
        page_html,
    )


SEARCH_TERMS_BOOST = 1_000_000.0
"""The weight of a practice's ID and search terms in the search index: a tag's in Material
(a title weighs 1 000). Lower, a long symptom ("requests are processed one at a time")
lost to pages whose text merely holds its short words."""


def search_terms(practice: Practice) -> list[str]:
    """What the index's `terms` field holds for a practice: its ID and its search terms."""
    return [practice.id, *practice.meta.search_terms]


def search_entry(practice: Practice) -> dict[str, Any]:
    """A practice's one entry in the search index: title, summary, tags, ID and search terms.

    A reader searches for the rule, an API name or a symptom, which is what those fields
    say; the proof, figures and references are read on the page. Material's search plugin
    does not index practice pages (the build marks them `search: exclude`), so parsing them
    costs nothing and this entry is their only one."""
    return {
        "location": practice.url,
        "title": practice.meta.title,
        "text": inline_code(practice.meta.summary),
        "tags": list(practice.meta.tags),
        "terms": search_terms(practice),
    }


_CODE = re.compile(r"<pre>.*?</pre>", re.S)


def lean_search_index(index: dict[str, Any], practices: list[Practice]) -> dict[str, Any]:
    """The search index every first visit downloads, cut to what finds a rule: one entry
    per practice (`search_entry`); the other pages keep their opening prose (not its code
    blocks, whose every token would match API names the practices answer for) and their
    section titles. Material's search plugin wrote `index` from the other pages."""
    docs = [
        {**entry, "text": "" if "#" in entry["location"] else _CODE.sub("", entry["text"])}
        for entry in index["docs"]
    ]
    docs += [search_entry(practice) for practice in practices]
    # A field of our own: indexed with a tag's weight, never shown in the results.
    fields = {**index["config"]["fields"], "terms": {"boost": SEARCH_TERMS_BOOST}}
    return {**index, "config": {**index["config"], "fields": fields}, "docs": docs}


# ---------------------------------------------------------------- accessibility

_A11Y_PATCHES = (
    # Material's search is a dialog without a name (axe: aria-dialog-name).
    (
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">',
    ),
    # A row of tab labels that scrolls sideways must be reachable from the keyboard
    # (axe: scrollable-region-focusable).
    ('<div class="tabbed-labels">', '<div class="tabbed-labels" tabindex="0">'),
)


_MKDOCSTRINGS_CSS = re.compile(r'<link rel="stylesheet" href="[^"]*assets/_mkdocstrings\.css">\n?')


def without_unused_stylesheets(page_html: str) -> str:
    """mkdocstrings links its stylesheet from every page; only a page that shows an API
    reference (`class="doc doc-...`) uses it, and the others' first visit need not fetch it."""
    if 'class="doc doc-' in page_html:
        return page_html
    return _MKDOCSTRINGS_CSS.sub("", page_html)


def accessibility_fixes(page_html: str) -> str:
    """What axe-core finds serious in Material's own markup, patched in every page."""
    for before, after in _A11Y_PATCHES:
        page_html = page_html.replace(before, after)
    return page_html
