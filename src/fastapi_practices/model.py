"""The practice model: what a page declares, and what a behaviour test records.

Everything here is plain Python and Pydantic, and is the single definition of each rule of
the format: the categories and their ID ranges, the kinds of reference, the page sections
and the measurements file. The checks, the renderers, the MkDocs plugin and the pytest
plugin all read them from here.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, JsonValue, model_validator


class Category(StrEnum):
    """A category: its value is the slug (the folder name), and it owns one ID range."""

    PROJECT_STRUCTURE = "project-structure"
    ASYNC = "async"
    PYDANTIC = "pydantic"
    DEPENDENCIES = "dependencies"
    API_DESIGN = "api-design"
    DATABASE = "database"
    TESTING = "testing"
    SECURITY = "security"
    OPERATIONS = "operations"

    @property
    def hundreds(self) -> int:
        """The hundreds digit of every ID in this category (FBP2xx for `async`)."""
        return _CATEGORY_INFO[self][0]

    @property
    def label(self) -> str:
        """The category's name in the navigation and the catalogue."""
        return _CATEGORY_INFO[self][1]

    @classmethod
    def for_id(cls, practice_id: str) -> Category | None:
        """The category whose range holds `practice_id`, if any."""
        return next((c for c in cls if c.hundreds == int(practice_id[3])), None)


_CATEGORY_INFO: dict[Category, tuple[int, str]] = {
    Category.PROJECT_STRUCTURE: (1, "Project structure"),
    Category.ASYNC: (2, "Async and concurrency"),
    Category.PYDANTIC: (3, "Pydantic and settings"),
    Category.DEPENDENCIES: (4, "Dependencies"),
    Category.API_DESIGN: (5, "API design and docs"),
    Category.DATABASE: (6, "Database and migrations"),
    Category.TESTING: (7, "Testing and tooling"),
    Category.SECURITY: (8, "Security"),
    Category.OPERATIONS: (9, "Operations"),
}

ID_PATTERN = rf"^FBP[{''.join(str(c.hundreds) for c in Category)}]\d\d$"
"""An ID is `FBP` and three digits, the first of which is a category's."""


class ReferenceKind(StrEnum):
    """What a reference is; it decides the heading it is listed under and its allowed hosts."""

    STACKOVERFLOW = "stackoverflow"
    DOCS = "docs"
    ISSUE = "issue"
    LINT_RULE = "lint-rule"

    @property
    def heading(self) -> str:
        """The heading the page's References section lists this kind under."""
        return _REFERENCE_INFO[self][0]

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts a link of this kind may point to; empty when any host will do."""
        return _REFERENCE_INFO[self][1]


_REFERENCE_INFO: dict[ReferenceKind, tuple[str, tuple[str, ...]]] = {
    ReferenceKind.STACKOVERFLOW: ("People hitting it", ("stackoverflow.com",)),
    ReferenceKind.DOCS: ("Documentation", ()),
    ReferenceKind.ISSUE: ("Maintainers on the subject", ("github.com",)),
    ReferenceKind.LINT_RULE: ("Lint rules", ()),
}

_REFERENCE_PATHS: dict[ReferenceKind, tuple[re.Pattern[str], str]] = {
    # A question, or one answer on its page; never a search, a tag or a user page.
    ReferenceKind.STACKOVERFLOW: (
        re.compile(r"^/questions/\d+(/[^/]+(/\d+)?)?/?$"),
        "https://stackoverflow.com/questions/<number>/<title-slug>",
    ),
    # One thread or one release of one repository, where maintainers said it.
    ReferenceKind.ISSUE: (
        re.compile(r"^/[\w.-]+/[\w.-]+/(issues|pull|discussions|commit|releases|blob)/\S+$"),
        "https://github.com/<owner>/<repo>/issues/<number> (or pull/, discussions/, "
        "commit/, releases/, blob/)",
    ),
}

REQUIRED_SECTIONS = ("Why", "Bad and good", "Proof", "When not to apply")
"""The sections every practice page has, in this order."""
OPTIONAL_SECTIONS = ("Changed in",)
"""Sections a page may add, where the source guide's claim no longer holds."""
GENERATED_SECTIONS = ("References",)
"""Sections the build writes from the front matter; a page must not write them by hand."""

RUFF_CODE = re.compile(r"^[A-Z]+[0-9]+$")


class Reference(BaseModel):
    """One link under References: only a page someone actually opened, never a guessed ID."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    title: Annotated[str, Field(min_length=3)]
    """What the link is, as its page titles it."""
    url: HttpUrl
    """The full address."""
    kind: ReferenceKind
    """`stackoverflow` (people hitting the problem; stackoverflow.com only), `docs` (official
    documentation), `issue` (maintainers on the subject: issues, pull requests, release
    notes; github.com only) or `lint-rule` (a rule that enforces the practice)."""

    @model_validator(mode="after")
    def host_matches_kind(self) -> Reference:
        """A `stackoverflow` or `issue` link must be on the kind's host, in the kind's form."""
        hosts = self.kind.hosts
        article = "an" if self.kind[0] in "aeiou" else "a"
        if hosts and (self.url.host or "") not in hosts:
            raise ValueError(
                f"{article} {self.kind} reference must point to {' or '.join(hosts)}, "
                f"not {self.url}"
            )
        form = _REFERENCE_PATHS.get(self.kind)
        if form and (self.url.scheme != "https" or not form[0].match(self.url.path or "")):
            raise ValueError(
                f"{article} {self.kind} reference must look like {form[1]}, not {self.url}"
            )
        return self


class FrontMatter(BaseModel):
    """What every practice page declares above its text, between `---` lines."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    """`FBP` and three digits; the hundreds digit is the category's. Never reused, never
    changed."""
    title: Annotated[str, Field(min_length=10, max_length=90)]
    """The rule as an imperative: "Don't block the event loop in async routes"."""
    summary: Annotated[str, Field(min_length=20, max_length=200, pattern=r"^[^\n]+$")]
    """The rule in one line, shown in the practice header and the catalogue; `code` spans
    are allowed."""
    category: Category
    """The category slug; also the folder the page and its snippets live in."""
    tags: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]], Field(min_length=1)]
    """Lower-case words that help search."""
    references: Annotated[list[Reference], Field(min_length=1)]
    """At least one; see Reference."""
    search_terms: list[Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[^\n]+$")]] = []
    """Words a reader types when looking for this practice that its page does not use
    often (an API name, a symptom, an error message); the build adds them to the search
    index, with the ID and the summary, and shows them nowhere else."""
    ruff: dict[str, list[Annotated[str, Field(pattern=RUFF_CODE.pattern)]]] = {}
    """The ruff rule codes a snippet breaks on purpose, by file name relative to the
    snippet folder (`bad.py: [ASYNC251]`). The tests check that ruff flags exactly these,
    so the list is also the practice's lint coverage."""


# ---------------------------------------------------------------- measurements

FigureValue = JsonValue


class Environment(BaseModel):
    """The releases a figure was measured on."""

    model_config = ConfigDict(extra="forbid")

    fastapi: str
    pydantic: str
    starlette: str
    uvicorn: str
    python: str
    cpus: str

    def describe(self) -> str:
        """One line: `FastAPI 0.163.2, Pydantic 2.14.3, ..., Python 3.12.1, 2 cores`."""
        return (
            f"FastAPI {self.fastapi}, Pydantic {self.pydantic}, Starlette {self.starlette}, "
            f"uvicorn {self.uvicorn}, Python {self.python}, {self.cpus} cores"
        )


class Figure(BaseModel):
    """One figure a behaviour test measured and the page shows."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=1)]
    """Stable within the practice; a new recording of the same key replaces the old one."""
    label: str
    """What was measured, as the page's table shows it."""
    value: FigureValue
    """The raw figure (or figures) the test asserted on."""
    display: str
    """The figure as the page shows it."""


class Measurements(BaseModel):
    """`tests/measurements/<ID>.json`: the figures a practice's test recorded."""

    model_config = ConfigDict(extra="forbid")

    practice: Annotated[str, Field(pattern=ID_PATTERN)]
    recorded: date
    command: str
    environment: Environment
    figures: list[Figure]

    def merged(self, newer: Measurements) -> Measurements:
        """These figures updated by `newer`'s: same keys replaced, new keys added, the rest
        kept, so a partial run does not drop what it did not measure.

        Figures of different environments are never mixed in one file: when the releases
        differ, `newer` must carry every key this file has, or `StaleFigures` is raised.
        """
        keys = {f.key for f in newer.figures}
        if newer.environment != self.environment:
            left = [f.key for f in self.figures if f.key not in keys]
            if left:
                raise StaleFigures(
                    f"{self.practice}: figures {', '.join(left)} were recorded on "
                    f"{self.environment.describe()}; this run measured only "
                    f"{', '.join(sorted(keys))} on {newer.environment.describe()}. Record all "
                    "of the practice's tests together (make measure K=<its test module>)."
                )
            return newer
        figures = [f for f in self.figures if f.key not in keys] + list(newer.figures)
        return newer.model_copy(update={"figures": figures})


class StaleFigures(ValueError):
    """A partial recording on other releases would leave figures of two environments."""


# ---------------------------------------------------------------- published catalogue


class VersionRecord(BaseModel):
    """One release of the version matrix, as `practices.json` gives it for a practice."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    fastapi: str
    """The FastAPI release."""
    environment: Environment
    """Everything installed with it."""
    ran: date
    """When the practice's tests ran on it."""
    verdict: Verdict
    """`holds`, `fails` or `n/a`."""
    detail: str
    """The failing tests, or why the practice does not apply there."""


class PracticeRecord(BaseModel):
    """One practice in `practices.json`."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    """The permanent ID, `FBP201`."""
    slug: str
    """The page's name, also its snippet folder's."""
    title: str
    """The rule as an imperative."""
    summary: str
    """The rule in one line (`code` spans in backticks)."""
    category: Category
    """The category's slug."""
    category_label: str
    """The category's name as the site shows it."""
    tags: list[str]
    """Lower-case search words."""
    url: HttpUrl
    """The practice's page."""
    short_url: HttpUrl
    """The permanent short link for code review, `<site>/p/FBP201/`."""
    review_comment: str
    """A Markdown link to paste into a review: `[FBP201: Title](<short_url>)`."""
    references: list[Reference]
    """The pages the practice cites."""
    verified_on: str | None
    """The FastAPI release its behaviour test last recorded figures on, if it records any."""
    environment: Environment | None
    """All the releases those figures were measured on."""
    versions: list[VersionRecord] = []
    """The practice on each FastAPI release of the version matrix, oldest first."""


class CatalogueRecord(BaseModel):
    """`practices.json`: the whole catalogue, for bots, editors and other tools."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    schema_: Annotated[HttpUrl, Field(alias="$schema")]
    """Where the JSON Schema of this file is published (`practices.schema.json`)."""
    name: str
    """The site's name."""
    site_url: HttpUrl
    """The site's public address."""
    practices: list[PracticeRecord]
    """Every practice, in ID order."""


# ---------------------------------------------------------------- the version matrix


class Verdict(StrEnum):
    """What one practice's tests said on one release."""

    HOLDS = "holds"
    """Every test of the practice passed (some may be marked not applicable there)."""
    FAILS = "fails"
    """At least one test failed: the page's claim does not hold on that release."""
    NOT_APPLICABLE = "n/a"
    """Every test was skipped as needing a later release (`needs FastAPI 0.121: ...`)."""


class PracticeVerdict(BaseModel):
    """One cell of the matrix."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    detail: str = ""
    """The failing tests, or why the practice does not apply to that release."""


class MatrixPoint(BaseModel):
    """One release the practices' tests ran on, with what they said."""

    model_config = ConfigDict(extra="forbid")

    point: Annotated[str, Field(pattern=r"^(\d+\.\d+\.\d+|latest)$")]
    """The FastAPI release asked for (`latest`: the newest, with the newest of the rest)."""
    ran: date
    environment: Environment
    """What was installed for it: the newest Pydantic, Starlette and uvicorn that resolve."""
    results: dict[Annotated[str, Field(pattern=ID_PATTERN)], PracticeVerdict]


class Matrix(BaseModel):
    """`tests/matrix.json`: every practice's tests on each supported FastAPI release, as
    `make test-matrix` last ran them."""

    model_config = ConfigDict(extra="forbid")

    command: str
    points: list[MatrixPoint]
