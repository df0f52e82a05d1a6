"""The practice catalogue: one module that reads, checks and renders every practice.

MkDocs loads it as a hook (``hooks:`` in mkdocs.yml) and the integrity tests import it,
so the build and the tests refuse a malformed practice for the same reasons, with the same
messages: each names the file, the field and what was expected.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

ROOT = Path(__file__).resolve().parents[2]

# The hundreds digit of an ID names its category; the category is also the folder name.
CATEGORIES: dict[str, tuple[int, str]] = {
    "project-structure": (1, "Project structure"),
    "async": (2, "Async and concurrency"),
    "pydantic": (3, "Pydantic and settings"),
    "dependencies": (4, "Dependencies"),
    "api-design": (5, "API design and docs"),
    "database": (6, "Database and migrations"),
    "testing": (7, "Testing and tooling"),
}
REQUIRED_SECTIONS = ("Why", "Bad and good", "Proof", "When not to apply")
OPTIONAL_SECTIONS = ("Changed in",)
REFERENCE_KINDS = {
    "stackoverflow": "People hitting it",
    "docs": "Documentation",
    "issue": "Maintainers on the subject",
    "lint-rule": "Lint rules",
}
REFERENCE_HOSTS = {
    "stackoverflow": ("stackoverflow.com",),
    "issue": ("github.com",),
}
SNIPPET_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)
MEASUREMENTS_MARKER = "<!-- measurements -->"
CATALOGUE_MARKER = "<!-- catalogue -->"


class Reference(BaseModel):
    """One link under References. Only links someone actually opened: never a guessed ID.

    Attributes:
        title: What the link is, as its page titles it.
        url: The full address. `stackoverflow` links must be on stackoverflow.com and
            `issue` links on github.com.
        kind: `stackoverflow` (people hitting the problem), `docs` (FastAPI, Pydantic and
            other official documentation), `issue` (maintainers on the subject: issues,
            pull requests, release notes) or `lint-rule` (a rule that enforces the practice).
    """

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=3)]
    url: HttpUrl
    kind: Literal["stackoverflow", "docs", "issue", "lint-rule"]

    @model_validator(mode="after")
    def host_matches_kind(self) -> Reference:
        hosts = REFERENCE_HOSTS.get(self.kind)
        if hosts and (self.url.host or "") not in hosts:
            raise ValueError(f"a {self.kind} reference must point to {' or '.join(hosts)}")
        return self


class FrontMatter(BaseModel):
    """What every practice page declares above its text, between `---` lines.

    Attributes:
        id: `FBP` and three digits; the hundreds digit is the category's (see below).
            Never reused, never changed.
        title: The rule as an imperative, 10 to 90 characters: "Don't block the event loop
            in async routes".
        summary: The rule in one line (20 to 200 characters), shown in the practice header
            and the catalogue. `code` spans are allowed.
        category: The category slug; also the folder the page and its snippets live in.
        tags: Lower-case words that help search.
        references: At least one; see Reference.
        ruff: The ruff rule codes a snippet breaks on purpose, by file name relative to the
            snippet folder, e.g. `bad.py: [ASYNC251]`. The tests check that ruff flags
            exactly these, so the list is also the practice's lint coverage.
    """

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^FBP[1-7]\d\d$")]
    title: Annotated[str, Field(min_length=10, max_length=90)]
    summary: Annotated[str, Field(min_length=20, max_length=200, pattern=r"^[^\n]+$")]
    category: Literal[
        "project-structure",
        "async",
        "pydantic",
        "dependencies",
        "api-design",
        "database",
        "testing",
    ]
    tags: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]], Field(min_length=1)]
    references: Annotated[list[Reference], Field(min_length=1)]
    # Ruff rule codes a snippet breaks on purpose, by snippet file name ("bad.py": ["ASYNC251"]).
    # tests/test_snippets.py checks that ruff flags exactly these and nothing else.
    ruff: dict[str, list[Annotated[str, Field(pattern=r"^[A-Z]+[0-9]+$")]]] = {}


@dataclass
class Practice:
    page: Path
    meta: FrontMatter
    body: str
    root: Path = ROOT

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def slug(self) -> str:
        return self.page.stem

    @property
    def src_path(self) -> str:
        """Path relative to docs/, as MkDocs names pages."""
        return f"practices/{self.meta.category}/{self.slug}.md"

    @property
    def snippet_dir(self) -> Path:
        return self.root / "snippets" / self.meta.category / self.slug

    @property
    def test_file(self) -> Path:
        return self.root / "tests" / "practices" / f"test_{self.slug.replace('-', '_')}.py"

    @property
    def measurements_file(self) -> Path:
        return self.root / "tests" / "measurements" / f"{self.id}.json"

    def snippet_includes(self) -> list[str]:
        return SNIPPET_INCLUDE.findall(self.body)

    def sections(self) -> list[str]:
        return [m.group(1).strip() for m in re.finditer(r"^## ([^{\n]+)", self.body, re.M)]


@dataclass
class Catalogue:
    practices: list[Practice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Practice]:
        return {p.id: p for p in self.practices}


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    if not match:
        return None, text
    data = yaml.safe_load(match.group(1))
    return (data if isinstance(data, dict) else None), text[match.end() :]


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(front matter)"


def read_practice(page: Path, root: Path) -> tuple[Practice | None, list[str]]:
    rel = page.relative_to(root)
    try:
        data, body = split_front_matter(page.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [f"{rel}: front matter is not valid YAML: {exc}"]
    if data is None:
        return None, [
            f"{rel}: no front matter; expected a '---' block with id, title, summary, "
            "category, tags and references"
        ]
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        return None, [
            f"{rel}: field '{_where(err['loc'])}': {err['msg']}"
            + (
                f" (got {err['input']!r})"
                if err["type"] not in {"missing"} and not isinstance(err["input"], dict)
                else ""
            )
            for err in exc.errors()
        ]
    practice = Practice(page=page, meta=meta, body=body, root=root)
    return practice, check_practice(practice, rel)


def check_practice(practice: Practice, rel: Path) -> list[str]:
    errors: list[str] = []
    meta = practice.meta
    folder = practice.page.parent.name
    hundreds, label = CATEGORIES[meta.category]
    if int(meta.id[3]) != hundreds:
        errors.append(
            f"{rel}: field 'id': {meta.id} is in the {meta.id[3]}xx range but category "
            f"'{meta.category}' ({label}) uses {hundreds}xx"
        )
    if folder != meta.category:
        errors.append(
            f"{rel}: field 'category': '{meta.category}' but the page lives in "
            f"docs/practices/{folder}/; expected the folder to match the category"
        )
    sections = practice.sections()
    for name in REQUIRED_SECTIONS:
        if name not in sections:
            errors.append(
                f"{rel}: section '## {name}' is missing; every practice has "
                f"{', '.join(REQUIRED_SECTIONS)}"
            )
    for name in sections:
        if name == "References":
            errors.append(
                f"{rel}: section '## References' is written from the 'references' field; "
                "remove the hand-written one"
            )
        elif name not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS:
            errors.append(
                f"{rel}: section '## {name}' is not one of "
                f"{', '.join(REQUIRED_SECTIONS + OPTIONAL_SECTIONS)}"
            )
    includes = practice.snippet_includes()
    if not includes:
        errors.append(
            f'{rel}: no snippet included; expected --8<-- "snippets/{meta.category}/'
            f'{practice.slug}/bad.py" and good.py in the Bad and good section'
        )
    shown = set()
    for include in includes:
        path, _, section = include.partition(":")
        target = practice.root / path
        if not target.is_file():
            errors.append(f"{rel}: snippet '{path}' does not exist")
            continue
        shown.add(target.name)
        if section and f"# --8<-- [start:{section}]" not in target.read_text(encoding="utf-8"):
            errors.append(
                f"{rel}: snippet '{path}' has no section '{section}' "
                f"(expected a '# --8<-- [start:{section}]' line)"
            )
    for required in ("bad.py", "good.py"):
        if required not in shown and (practice.snippet_dir / required).exists():
            errors.append(
                f"{rel}: snippet '{required}' of {practice.snippet_dir.relative_to(practice.root)} "
                "is not shown on the page"
            )
    for name in ("bad.py", "good.py"):
        if not (practice.snippet_dir / name).is_file():
            errors.append(
                f"{rel}: snippet folder {practice.snippet_dir.relative_to(practice.root)}/ "
                f"has no {name}"
            )
    for name in meta.ruff:
        if not (practice.snippet_dir / name).is_file():
            errors.append(
                f"{rel}: field 'ruff.{name}': no such snippet in "
                f"{practice.snippet_dir.relative_to(practice.root)}/"
            )
    if not practice.test_file.is_file():
        errors.append(
            f"{rel}: no behaviour test; expected {practice.test_file.relative_to(practice.root)}"
        )
    if MEASUREMENTS_MARKER in practice.body and not practice.measurements_file.is_file():
        errors.append(
            f"{rel}: the Proof section shows measurements but "
            f"{practice.measurements_file.relative_to(practice.root)} does not exist; "
            "run `make measure`"
        )
    return errors


def load_catalogue(root: Path = ROOT) -> Catalogue:
    """Read every practice page under root/docs/practices and check the whole catalogue."""
    catalogue = Catalogue()
    pages = sorted((root / "docs" / "practices").glob("**/*.md"))
    for page in pages:
        if page.name == "index.md":
            continue
        practice, errors = read_practice(page, root)
        catalogue.errors.extend(errors)
        if practice:
            catalogue.practices.append(practice)

    seen: dict[str, Path] = {}
    for practice in catalogue.practices:
        if practice.id in seen:
            catalogue.errors.append(
                f"{practice.page.relative_to(root)}: field 'id': {practice.id} is already used by "
                f"{seen[practice.id].relative_to(root)}; IDs are unique and never reused"
            )
        seen.setdefault(practice.id, practice.page)

    # Pages that failed to parse still count here, so one mistake is reported once.
    page_keys = {(page.parent.name, page.stem) for page in pages}
    for folder in sorted((root / "snippets").glob("*/*/")):
        if (folder.parent.name, folder.name) not in page_keys:
            catalogue.errors.append(
                f"{folder.relative_to(root)}/: snippet folder without a practice page; expected "
                f"docs/practices/{folder.parent.name}/{folder.name}.md"
            )
    test_names = {f"test_{slug.replace('-', '_')}.py" for _, slug in page_keys}
    for test in sorted((root / "tests" / "practices").glob("test_*.py")):
        if test.name not in test_names:
            catalogue.errors.append(
                f"{test.relative_to(root)}: behaviour test without a practice page of the same slug"
            )
    catalogue.practices.sort(key=lambda p: p.id)
    return catalogue


# ---------------------------------------------------------------- rendering


def render_catalogue_table(catalogue: Catalogue, from_page: str) -> str:
    depth = from_page.count("/")
    prefix = "../" * depth
    lines = []
    for category, (_, label) in CATEGORIES.items():
        members = [p for p in catalogue.practices if p.meta.category == category]
        if not members:
            continue
        lines += [
            f"## {label} {{#{category}}}",
            "",
            "| ID | Practice | The rule in one line |",
            "| --- | --- | --- |",
        ]
        for p in members:
            lines.append(
                f"| [{p.id}]({prefix}{p.src_path}) | [{p.meta.title}]({prefix}{p.src_path}) "
                f"| {p.meta.summary} |"
            )
        lines.append("")
    used = {p.meta.category for p in catalogue.practices}
    lines.append(f"{len(catalogue.practices)} practices in {len(used)} categories.")
    return "\n".join(lines)


def render_references(practice: Practice) -> str:
    lines = ["## References {#references}", ""]
    for kind, label in REFERENCE_KINDS.items():
        refs = [r for r in practice.meta.references if r.kind == kind]
        if refs:
            lines += [f"**{label}**", ""]
            lines += [f"- [{r.title}]({r.url})" for r in refs]
            lines.append("")
    return "\n".join(lines)


def load_measurements(practice: Practice) -> dict[str, Any] | None:
    if not practice.measurements_file.is_file():
        return None
    return json.loads(practice.measurements_file.read_text(encoding="utf-8"))


def render_measurements(practice: Practice) -> str:
    data = load_measurements(practice)
    if data is None:
        return ""
    env = data["environment"]
    lines = [
        "| Measured | Value |",
        "| --- | --- |",
        *(f"| {fig['label']} | **{fig['display']}** |" for fig in data["figures"]),
        "",
        f"<small>Recorded by `{data['command']}` on {data['recorded']} with FastAPI "
        f"{env['fastapi']}, Pydantic {env['pydantic']}, Starlette {env['starlette']}, "
        f"uvicorn {env['uvicorn']}, Python {env['python']} ({env['cpus']} cores). The test "
        "asserts the claim with generous margins on every run; these are the figures it "
        "saw.</small>",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- MkDocs hook


def inline_code(text: str) -> str:
    """The one bit of Markdown a summary uses, `code`, as HTML; everything else escaped."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


_catalogue: Catalogue | None = None


def on_config(config: Any) -> Any:
    global _catalogue
    from mkdocs.exceptions import PluginError

    root = Path(config["config_file_path"]).resolve().parent
    _catalogue = load_catalogue(root)
    if _catalogue.errors:
        raise PluginError(
            "The practice catalogue is malformed:\n  " + "\n  ".join(_catalogue.errors)
        )
    redirects = config["plugins"]["redirects"].config["redirect_maps"]
    for practice in _catalogue.practices:
        # /p/FBP201/ is the short, permanent link reviewers paste into code review.
        redirects[f"p/{practice.id}.md"] = practice.src_path
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    assert _catalogue is not None
    if CATALOGUE_MARKER in markdown:
        markdown = markdown.replace(
            CATALOGUE_MARKER, render_catalogue_table(_catalogue, page.file.src_uri)
        )
    practice = next((p for p in _catalogue.practices if p.src_path == page.file.src_uri), None)
    if practice is None:
        return markdown
    page.meta["category_label"] = CATEGORIES[practice.meta.category][1]
    page.meta["short_url"] = f"p/{practice.id}/"
    page.meta["summary_html"] = inline_code(practice.meta.summary)
    data = load_measurements(practice)
    if data:
        page.meta["verified_on"] = data["environment"]["fastapi"]
    markdown = markdown.replace(MEASUREMENTS_MARKER, render_measurements(practice))
    return markdown.rstrip() + "\n\n" + render_references(practice) + "\n"


def on_nav(nav: Any, config: Any, files: Any) -> Any:
    """Name the category sections as the catalogue does, and list everything in ID order."""
    labels = [label for _, label in CATEGORIES.values()]
    for item in nav.items:
        if getattr(item, "is_section", False) and item.title.lower() == "practices":
            ids = {p.src_path: p.id for p in (_catalogue.practices if _catalogue else [])}
            for section in item.children:
                key = section.title.lower().replace(" ", "-")
                if section.is_section and key in CATEGORIES:
                    section.title = CATEGORIES[key][1]
                    # Within a category, practices by ID, as in the catalogue.
                    section.children.sort(key=lambda page: ids.get(page.file.src_uri, "~"))
            item.children.sort(key=lambda s: labels.index(s.title) if s.title in labels else -1)
    return nav
