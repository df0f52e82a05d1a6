"""Read and check the catalogue: every practice page with its snippets, test and figures.

The MkDocs plugin, `fastapi-practices validate` and the tests all call `load_catalogue`, so
each refuses a malformed practice for the same reasons, with the same messages: every
message names the file, the field and what was expected. Each rule is one small function
that yields its messages, so a rule and its negative test are easy to find together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fastapi_practices.model import (
    GENERATED_SECTIONS,
    OPTIONAL_SECTIONS,
    REQUIRED_SECTIONS,
    Category,
    FrontMatter,
    Matrix,
    Measurements,
)

SNIPPET_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)
MEASUREMENTS_MARKER = "<!-- measurements -->"
CATALOGUE_MARKER = "<!-- catalogue -->"
MATRIX_MARKER = "<!-- version-matrix -->"
CATEGORIES_MARKER = "<!-- categories -->"
RULES_MARKER = "<!-- checker-rules -->"
CHECKER_EXAMPLE_MARKER = "<!-- checker-example -->"
DECLARED_ID = re.compile(r"^id:\s*(\S+)", re.M)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class NotAProject(LookupError):
    """No catalogue root (a folder with mkdocs.yml and docs/practices/) was found."""


def find_root(start: Path | None = None) -> Path:
    """The catalogue's root: the nearest folder at or above `start` (default: the working
    directory) that holds `mkdocs.yml` and `docs/practices/`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "docs" / "practices").is_dir():
            return folder
    raise NotAProject(
        f"no catalogue at or above {here}: expected a folder with mkdocs.yml and docs/practices/"
    )


def test_file_for(root: Path, slug: str) -> Path:
    """Where the behaviour test of the practice with this slug lives."""
    return root / "tests" / "practices" / f"test_{slug.replace('-', '_')}.py"


@dataclass
class Practice:
    """One practice: its page, parsed front matter and body, and where its parts live."""

    page: Path
    meta: FrontMatter
    body: str
    root: Path

    @property
    def id(self) -> str:
        """The permanent ID, `FBP201`."""
        return self.meta.id

    @property
    def slug(self) -> str:
        """The page's file name without `.md`; also the snippet folder's name."""
        return self.page.stem

    @property
    def src_path(self) -> str:
        """Path relative to docs/, as MkDocs names pages."""
        return f"practices/{self.meta.category}/{self.slug}.md"

    @property
    def url(self) -> str:
        """The page's published path, `practices/async/dont-block-the-event-loop/`."""
        return self.src_path.removesuffix(".md") + "/"

    @property
    def short_url(self) -> str:
        """The permanent short link's path, `p/FBP201/`."""
        return f"p/{self.id}/"

    @property
    def snippet_dir(self) -> Path:
        """`snippets/<category>/<slug>/`."""
        return self.root / "snippets" / self.meta.category / self.slug

    @property
    def test_file(self) -> Path:
        """`tests/practices/test_<slug>.py`."""
        return test_file_for(self.root, self.slug)

    @property
    def measurements_file(self) -> Path:
        """`tests/measurements/<ID>.json`."""
        return self.root / "tests" / "measurements" / f"{self.id}.json"

    @cached_property
    def measurements(self) -> Measurements | None:
        """The recorded figures, or None when there are none. Raises `MalformedMeasurements`
        naming the file when the file does not match the schema."""
        return read_measurements(self.measurements_file, self.root)

    def snippet_includes(self) -> list[str]:
        """Every `--8<-- "path[:section]"` the page includes, in order."""
        return SNIPPET_INCLUDE.findall(self.body)

    def sections(self) -> list[str]:
        """The page's `## ` headings, outside fenced code, without their `{#anchor}`."""
        found, fence = [], None
        for line in self.body.splitlines():
            opening = FENCE.match(line)
            if opening:
                marker = opening.group(1)
                if fence is None:
                    fence = marker
                elif marker[0] == fence[0] and len(marker) >= len(fence):
                    fence = None
                continue
            if fence is None and line.startswith("## "):
                found.append(re.sub(r"\s*\{[^}]*\}\s*$", "", line[3:]).strip())
        return found


class MalformedMeasurements(ValueError):
    """A measurements file that is not JSON, or does not match `Measurements`."""


def read_measurements(path: Path, root: Path) -> Measurements | None:
    """Parse one measurements file, or None if there is none."""
    if not path.is_file():
        return None
    rel = _rel(path, root)
    try:
        return Measurements.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise MalformedMeasurements(
            "\n".join(_format_error(rel, err) for err in exc.errors())
        ) from None


@dataclass
class Catalogue:
    """Every practice that parsed, sorted by ID, and every problem found, in file order."""

    root: Path
    practices: list[Practice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    matrix: Matrix | None = None
    """`tests/matrix.json`: the verdicts of the last `make test-matrix`, if it ran."""

    def by_id(self) -> dict[str, Practice]:
        """The practices by ID."""
        return {p.id: p for p in self.practices}

    def by_src_path(self) -> dict[str, Practice]:
        """The practices by their page's path relative to docs/."""
        return {p.src_path: p for p in self.practices}

    def practice_for_test(self, test_file: Path) -> Practice:
        """The practice whose behaviour test is `test_file`."""
        for practice in self.practices:
            if practice.test_file == test_file.resolve():
                return practice
        raise LookupError(f"{test_file} is not the behaviour test of any practice")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _format_error(rel: str, err: Any) -> str:
    where = ".".join(str(part) for part in err["loc"]) or "(whole file)"
    message = f"{rel}: field '{where}': {err['msg']}"
    if err["type"] != "missing" and not isinstance(err["input"], dict):
        message += f" (got {err['input']!r})"
    return message


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C where the wheel has libyaml (about ten times faster)."""


def split_front_matter(text: str) -> tuple[object, str] | None:
    """The YAML between the opening `---` lines and the body after it, or None."""
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    if not match:
        return None
    return yaml.load(match.group(1), _SAFE_LOADER), text[match.end() :]  # noqa: S506 (safe)


def read_practice(page: Path, root: Path) -> tuple[Practice | None, list[str]]:
    """Parse one page and run every per-practice check on it."""
    rel = _rel(page, root)
    try:
        parts = split_front_matter(page.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [f"{rel}: front matter is not valid YAML: {exc}"]
    if parts is None:
        return None, [
            f"{rel}: no front matter; expected a '---' block with id, title, summary, "
            "category, tags and references"
        ]
    data, body = parts
    if not isinstance(data, dict):
        return None, [
            f"{rel}: front matter must be a mapping of fields (id: ..., title: ...), "
            f"got {type(data).__name__}"
        ]
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        return None, [_format_error(rel, err) for err in exc.errors()]
    practice = Practice(page=page, meta=meta, body=body, root=root)
    return practice, [f"{rel}: {message}" for check in CHECKS for message in check(practice)]


# ---------------------------------------------------------------- one rule each

Check = Callable[[Practice], Iterator[str]]


def check_id_in_category_range(practice: Practice) -> Iterator[str]:
    meta = practice.meta
    category = Category(meta.category)
    if int(meta.id[3]) != category.hundreds:
        yield (
            f"field 'id': {meta.id} is in the {meta.id[3]}xx range but category "
            f"'{category}' ({category.label}) uses {category.hundreds}xx"
        )


def check_folder_matches_category(practice: Practice) -> Iterator[str]:
    folder = practice.page.parent.name
    if folder != practice.meta.category:
        yield (
            f"field 'category': '{practice.meta.category}' but the page lives in "
            f"docs/practices/{folder}/; expected the folder to match the category"
        )


def check_sections(practice: Practice) -> Iterator[str]:
    sections = practice.sections()
    for name in REQUIRED_SECTIONS:
        if name not in sections:
            yield (
                f"section '## {name}' is missing; every practice has {', '.join(REQUIRED_SECTIONS)}"
            )
    for name in sections:
        if name in GENERATED_SECTIONS:
            yield (
                f"section '## {name}' is written from the 'references' field; "
                "remove the hand-written one"
            )
        elif name not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS:
            yield (
                f"section '## {name}' is not one of "
                f"{', '.join(REQUIRED_SECTIONS + OPTIONAL_SECTIONS)}"
            )


def check_includes(practice: Practice) -> Iterator[str]:
    own = practice.snippet_dir.relative_to(practice.root).as_posix()
    includes = practice.snippet_includes()
    if not includes:
        yield (
            f'no snippet included; expected --8<-- "{own}/bad.py" and good.py in the '
            "Bad and good section"
        )
    for include in includes:
        path, _, section = include.partition(":")
        target = practice.root / path
        if not target.is_file():
            yield f"snippet '{path}' does not exist"
            continue
        if not target.resolve().is_relative_to(practice.snippet_dir.resolve()):
            yield (
                f"snippet '{path}' belongs to another practice; a page shows only its own "
                f"snippets, from {own}/"
            )
        if section and f"# --8<-- [start:{section}]" not in target.read_text(encoding="utf-8"):
            yield (
                f"snippet '{path}' has no section '{section}' "
                f"(expected a '# --8<-- [start:{section}]' line)"
            )


def bad_and_good_pairs(practice: Practice) -> list[tuple[Path, Path]]:
    """The practice's bad/good pairs: `bad.py` and `good.py`, and folders `bad_<x>/` and
    `good_<x>/` (for a practice whose difference is not a Python app, such as migrations)."""
    folder = practice.snippet_dir
    if not folder.is_dir():
        return []
    return [
        (bad, folder / ("good" + bad.name.removeprefix("bad")))
        for bad in sorted(folder.iterdir())
        if (bad.name == "bad.py" or (bad.is_dir() and bad.name.startswith("bad_")))
        and (folder / ("good" + bad.name.removeprefix("bad"))).exists()
    ]


def source_files(folder: Path) -> dict[Path, Path]:
    """Every file under `folder` by its relative path, leaving out what Python compiled
    there (`__pycache__/`), which running a snippet writes and nobody wrote."""
    return {
        p.relative_to(folder): p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.relative_to(folder).parts
    }


def _same(a: Path, b: Path) -> bool:
    if a.is_file() and b.is_file():
        return a.read_bytes() == b.read_bytes()
    if a.is_dir() and b.is_dir():
        files_a, files_b = source_files(a), source_files(b)
        return files_a.keys() == files_b.keys() and all(
            files_a[k].read_bytes() == files_b[k].read_bytes() for k in files_a
        )
    return False


def check_bad_and_good(practice: Practice) -> Iterator[str]:
    own = practice.snippet_dir.relative_to(practice.root).as_posix()
    folder = practice.snippet_dir
    for bad, good in (("bad.py", "good.py"), ("good.py", "bad.py")):
        if (folder / bad).is_file() and not (folder / good).is_file():
            yield f"snippet folder {own}/ has {bad} but no {good}"
    for side in sorted(folder.glob("*_*/")) if folder.is_dir() else []:
        kind, _, name = side.name.partition("_")
        other = {"bad": "good", "good": "bad"}.get(kind)
        if other and not (folder / f"{other}_{name}").is_dir():
            yield f"snippet folder {own}/ has {side.name}/ but no {other}_{name}/"
    pairs = bad_and_good_pairs(practice)
    if not pairs and not (folder / "bad.py").is_file() and not (folder / "good.py").is_file():
        yield (
            f"snippet folder {own}/ has no bad/good pair; expected bad.py and good.py, or "
            "folders bad_<name>/ and good_<name>/"
        )
    shown = [
        (practice.root / include.partition(":")[0]).resolve()
        for include in practice.snippet_includes()
    ]
    for pair in pairs:
        for side in pair:
            target = side.resolve()
            if not any(path == target or path.is_relative_to(target) for path in shown):
                yield f"snippet '{side.name}' of {own}/ is not shown on the page"
        if _same(*pair):
            yield (
                f"snippets {pair[0].name} and {pair[1].name} of {own}/ are identical; a bad/good "
                "pair must differ in what the practice is about"
            )


def check_ruff_declarations(practice: Practice) -> Iterator[str]:
    own = practice.snippet_dir.relative_to(practice.root).as_posix()
    for name in practice.meta.ruff:
        if not (practice.snippet_dir / name).is_file():
            yield f"field 'ruff.{name}': no such snippet in {own}/"


def check_behaviour_test(practice: Practice) -> Iterator[str]:
    if not practice.test_file.is_file():
        yield f"no behaviour test; expected {_rel(practice.test_file, practice.root)}"


def check_measurements(practice: Practice) -> Iterator[str]:
    rel = _rel(practice.measurements_file, practice.root)
    try:
        measurements = practice.measurements
    except MalformedMeasurements as exc:
        yield f"its figures cannot be read: {exc}"
        return
    if MEASUREMENTS_MARKER in practice.body and measurements is None:
        yield f"the Proof section shows measurements but {rel} does not exist; run `make measure`"
    if measurements is not None and measurements.practice != practice.id:
        yield f"{rel}: field 'practice': {measurements.practice}, expected {practice.id}"


HIGHLIGHTED_INCLUDE = re.compile(
    r'^\s*(?:```|~~~)\w*[^\n]*?hl_lines="([^"]*)"[^\n]*\n\s*--8<--\s+"([^"]+)"\s*$', re.M
)


def included_lines(path: Path, section: str) -> list[str]:
    """The lines pymdownx.snippets includes from `path` (only `section`'s when given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not section:
        return [line for line in lines if not re.match(r"\s*# --8<-- \[(start|end):", line)]
    inside, kept = False, []
    for line in lines:
        if re.match(rf"\s*# --8<-- \[start:{re.escape(section)}\]", line):
            inside = True
        elif re.match(rf"\s*# --8<-- \[end:{re.escape(section)}\]", line):
            inside = False
        elif inside and not re.match(r"\s*# --8<-- \[(start|end):", line):
            kept.append(line)
    return kept


def check_highlighted_lines(practice: Practice) -> Iterator[str]:
    """`hl_lines` must point at code: no blank line, none past the end of what is shown."""
    for spec, include in HIGHLIGHTED_INCLUDE.findall(practice.body):
        path, _, section = include.partition(":")
        target = practice.root / path
        if not target.is_file():
            continue  # check_includes names it
        shown = included_lines(target, section)
        for part in spec.split():
            first, _, last = part.partition("-")
            if not (first.isdigit() and (not last or last.isdigit())):
                yield f"hl_lines '{spec}' on '{include}': '{part}' is not a line or a range"
                continue
            for number in range(int(first), int(last or first) + 1):
                if number > len(shown):
                    yield (
                        f"hl_lines '{spec}' on '{include}': line {number} is past the end "
                        f"({len(shown)} lines shown)"
                    )
                elif not shown[number - 1].strip():
                    yield f"hl_lines '{spec}' on '{include}': line {number} is blank"


PROSE_FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s?(?:×|%|MiB|KiB|MB|GB)|\s(?:s|ms|seconds?|times)\b)"
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def prose(markdown: str) -> str:
    """The page's running text: no fenced code, no inline code, no HTML comments."""
    markdown = re.sub(r"^( *)(```|~~~).*?^\1\2", "", markdown, flags=re.S | re.M)
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    return re.sub(r"`[^`\n]*`", " ", markdown)


def check_prose_figures(practice: Practice) -> Iterator[str]:
    """A figure in prose (a ratio, a duration, a size) must be one the practice's code fixes
    (a literal in its test or snippets) or one its test measured (a recorded figure): a
    figure typed into a sentence is never checked again."""
    try:
        measured = practice.measurements
    except MalformedMeasurements:
        return  # check_measurements names it
    known = set()
    for figure in measured.figures if measured else []:
        known.update(NUMBER.findall(figure.display))
    sources = [practice.test_file, *practice.snippet_dir.rglob("*.py")]
    for source in sources:
        if source.is_file():
            known.update(NUMBER.findall(source.read_text(encoding="utf-8")))
    for match in PROSE_FIGURE.finditer(prose(practice.body)):
        if match.group(1) not in known:
            yield (
                f"prose figure '{match.group(0)}' is neither measured (tests/measurements) "
                "nor set by the practice's test or snippets; show it from the measurements "
                "or word it without the number"
            )


CHECKS: tuple[Check, ...] = (
    check_id_in_category_range,
    check_folder_matches_category,
    check_sections,
    check_includes,
    check_bad_and_good,
    check_ruff_declarations,
    check_highlighted_lines,
    check_prose_figures,
    check_behaviour_test,
    check_measurements,
)


# ---------------------------------------------------------------- the whole catalogue


def load_catalogue(root: Path | None = None) -> Catalogue:
    """Read every practice page under `root`/docs/practices and check the whole catalogue."""
    root = (root or find_root()).resolve()
    catalogue = Catalogue(root=root)
    pages = sorted(p for p in (root / "docs" / "practices").glob("**/*.md") if p.name != "index.md")
    for page in pages:
        practice, errors = read_practice(page, root)
        catalogue.errors.extend(errors)
        if practice:
            catalogue.practices.append(practice)

    seen: dict[str, Path] = {}
    for practice in catalogue.practices:
        if practice.id in seen:
            catalogue.errors.append(
                f"{_rel(practice.page, root)}: field 'id': {practice.id} is already used by "
                f"{_rel(seen[practice.id], root)}; IDs are unique and never reused"
            )
        seen.setdefault(practice.id, practice.page)

    # Pages that failed to parse still count here, so one mistake is reported once.
    page_keys = {(page.parent.name, page.stem) for page in pages}
    for folder in sorted((root / "snippets").glob("*/*/")):
        if (folder.parent.name, folder.name) not in page_keys:
            catalogue.errors.append(
                f"{_rel(folder, root)}/: snippet folder without a practice page; expected "
                f"docs/practices/{folder.parent.name}/{folder.name}.md"
            )
    test_names = {test_file_for(root, slug).name for _, slug in page_keys}
    for test in sorted((root / "tests" / "practices").glob("test_*.py")):
        if test.name not in test_names:
            catalogue.errors.append(
                f"{_rel(test, root)}: behaviour test without a practice page of the same slug"
            )
    # IDs as written, so a page whose front matter did not validate keeps its figures.
    ids = {m.group(1) for page in pages for m in [DECLARED_ID.search(page.read_text())] if m}
    for figures in sorted((root / "tests" / "measurements").glob("*.json")):
        if figures.stem not in ids:
            catalogue.errors.append(
                f"{_rel(figures, root)}: figures of {figures.stem}, which no page declares"
            )
    catalogue.practices.sort(key=lambda p: p.id)
    catalogue.errors.extend(check_published_urls(catalogue))
    catalogue.matrix, problems = read_matrix(catalogue)
    catalogue.errors.extend(problems)
    return catalogue


MATRIX_FILE = Path("tests") / "matrix.json"


def read_matrix(catalogue: Catalogue) -> tuple[Matrix | None, list[str]]:
    """The version matrix's verdicts, and what is wrong with the file, if anything."""
    path = catalogue.root / MATRIX_FILE
    if not path.is_file():
        return None, []
    rel = MATRIX_FILE.as_posix()
    try:
        matrix = Matrix.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        return None, [_format_error(rel, err) for err in exc.errors()]
    known = catalogue.by_id()
    problems = [
        f"{rel}: field 'points.{n}.results.{practice_id}': no practice has this ID; run "
        "`make test-matrix` again"
        for n, point in enumerate(matrix.points)
        for practice_id in point.results
        if practice_id not in known
    ]
    return matrix, problems


# ---------------------------------------------------------------- published addresses

PUBLISHED_URLS = Path("tests") / "published_urls.txt"


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (`!ENV`, `!relative`, `!!python/name`)."""


_LenientLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, s, node: None)


def _url_of(src_path: str) -> str:
    """The address MkDocs gives `docs/<src_path>` (directory URLs): `a/b.md` -> `/a/b/`."""
    stem = src_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index").rstrip("/")
    return f"/{stem}/" if stem else "/"


def redirect_maps(root: Path) -> dict[str, str]:
    """mkdocs.yml's `plugins.redirects.redirect_maps` (old page -> new page), as written."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return {}
    config = yaml.load(path.read_text(encoding="utf-8"), _LenientLoader)  # noqa: S506 (a SafeLoader)
    for plugin in (config or {}).get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("redirects"), dict):
            return dict(plugin["redirects"].get("redirect_maps") or {})
    return {}


def served_urls(catalogue: Catalogue) -> set[str]:
    """Every address the site will answer, worked out without building it: each page of
    docs/, each redirect in mkdocs.yml, and each practice's `/p/<ID>/` short link."""
    docs = catalogue.root / "docs"
    urls = {_url_of(page.relative_to(docs).as_posix()) for page in docs.rglob("*.md")}
    urls |= {_url_of(old) for old in redirect_maps(catalogue.root)}
    urls |= {f"/{practice.short_url}" for practice in catalogue.practices}
    return urls


def check_published_urls(catalogue: Catalogue) -> Iterator[str]:
    """Every URL ever published keeps answering, and every practice's URLs are published."""
    listing = catalogue.root / PUBLISHED_URLS
    if not listing.is_file():
        return  # a partial copy (the tests' broken trees) has no history to keep
    published: dict[str, int] = {}
    for number, line in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            published.setdefault(line.strip(), number)
    served = served_urls(catalogue)
    for url, number in published.items():
        if url not in served:
            yield (
                f"{PUBLISHED_URLS.as_posix()}: line {number}: {url} was published and no page "
                "or redirect serves it any more; add a redirect from its old page in "
                "mkdocs.yml (plugins.redirects.redirect_maps, `old/page.md: new/page.md`)"
            )
    for practice in catalogue.practices:
        for url in (f"/{practice.url}", f"/{practice.short_url}"):
            if url not in published:
                yield (
                    f"{_rel(practice.page, catalogue.root)}: field 'id': {practice.id}'s "
                    f"address {url} is not in {PUBLISHED_URLS.as_posix()}; add it (a line of "
                    "its own), so it is kept from then on"
                )
