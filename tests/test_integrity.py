"""The catalogue holds together, and each kind of malformed practice is refused by name.

The same checks run inside the site build (the fastapi-practices MkDocs plugin), so `mkdocs build`
and this test fail for the same reasons with the same messages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastapi_practices.catalogue import load_catalogue
from fastapi_practices.scaffold import SCAFFOLD_MARKER
from fastapi_practices.testing.plugin import current_environment
from fastapi_practices.testing.project import ROOT, catalogue, copy_practice


def test_catalogue_is_well_formed() -> None:
    """No problem anywhere: pages, snippets, tests, figure files (orphans included)."""
    loaded = catalogue()
    assert loaded.errors == []
    assert loaded.practices, "no practice found under docs/practices/"


def test_recorded_figures_match_the_installed_fastapi() -> None:
    """A page may only show figures recorded on the versions the tests run today."""
    current = current_environment()
    stale = []
    for practice in catalogue().practices:
        if practice.measurements is None:
            continue
        recorded = practice.measurements.environment
        for package in ("fastapi", "pydantic", "starlette", "uvicorn"):
            if getattr(recorded, package) != getattr(current, package):
                stale.append(
                    f"{practice.measurements_file.relative_to(ROOT)}: field "
                    f"'environment.{package}': recorded on {getattr(recorded, package)}, "
                    f"installed {getattr(current, package)}; run `make measure`"
                )
    assert not stale, "\n".join(stale)


# ------------------------------------------------- each kind of violation is caught


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of one real practice (FBP201) in an otherwise empty project."""
    copy_practice("FBP201", tmp_path)
    assert load_catalogue(tmp_path).errors == []
    return tmp_path


PAGE = "docs/practices/async/dont-block-the-event-loop.md"


def edit(tree: Path, old: str, new: str, path: str = PAGE) -> None:
    file = tree / path
    text = file.read_text()
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1))


def errors(tree: Path) -> str:
    return "\n".join(load_catalogue(tree).errors)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("id: FBP201", "id: FB201", f"{PAGE}: field 'id': String should match pattern"),
        (
            "id: FBP201",
            "id: FBP501",
            f"{PAGE}: field 'id': FBP501 is in the 5xx range but category 'async'",
        ),
        ("id: FBP201\n", "", f"{PAGE}: field 'id': Field required"),
        (
            "summary: In an",
            "summary:\n  - In an",
            f"{PAGE}: field 'summary': Input should be a valid string",
        ),
        ("category: async", "category: speed", f"{PAGE}: field 'category': Input should be"),
        ("kind: stackoverflow", "kind: blog", f"{PAGE}: field 'references.0.kind'"),
        (
            "https://stackoverflow.com/questions/71516140",
            "https://example.com/questions/71516140",
            f"{PAGE}: field 'references.0': Value error, a stackoverflow reference must point to "
            "stackoverflow.com",
        ),
        (
            "url: https://stackoverflow.com/questions/71516140/",
            "url: questions/71516140/",
            f"{PAGE}: field 'references.0.url': Input should be a valid URL",
        ),
        ("tags: [async,", "tag: [async,", f"{PAGE}: field 'tag': Extra inputs are not permitted"),
        (
            "tags: [async,",
            "tags: [Event Loop,",
            f"{PAGE}: field 'tags.0': String should match pattern '^[a-z0-9-]+$' "
            "(got 'Event Loop')",
        ),
        (
            "https://stackoverflow.com/questions/71516140/fastapi-runs",
            "https://stackoverflow.com/search?q=fastapi-runs",
            f"{PAGE}: field 'references.0': Value error, a stackoverflow reference must look like "
            "https://stackoverflow.com/questions/<number>/<title-slug>, not "
            "https://stackoverflow.com/search?q=fastapi-runs",
        ),
        (
            "https://github.com/fastapi/fastapi/issues/3363",
            "https://github.com/fastapi",
            f"{PAGE}: field 'references.4': Value error, an issue reference must look like "
            "https://github.com/<owner>/<repo>/issues/<number>",
        ),
        (
            "bad.py: [ASYNC251]",
            "worse.py: [ASYNC251]",
            f"{PAGE}: field 'ruff.worse.py': no such snippet",
        ),
        ("## Proof {#proof}", "## Evidence", f"{PAGE}: section '## Proof' is missing"),
        (
            "## Why {#why}",
            "## Why {#why}\n\n## References",
            f"{PAGE}: section '## References' is written from the 'references' field",
        ),
        (
            '--8<-- "snippets/async/dont-block-the-event-loop/bad.py"',
            '--8<-- "snippets/async/dont-block-the-event-loop/bad_typo.py"',
            f"{PAGE}: snippet 'snippets/async/dont-block-the-event-loop/bad_typo.py' does not "
            "exist",
        ),
        (
            '--8<-- "snippets/async/dont-block-the-event-loop/bad.py"',
            '--8<-- "snippets/async/dont-block-the-event-loop/bad.py:app"',
            f"{PAGE}: snippet 'snippets/async/dont-block-the-event-loop/bad.py' has no section "
            "'app'",
        ),
        ("---\nid:", "id:", f"{PAGE}: no front matter"),
        ("title: Don't", "title: [Don't", f"{PAGE}: front matter is not valid YAML"),
    ],
    ids=[
        "id-pattern",
        "id-range",
        "id-missing",
        "summary-type",
        "category",
        "ref-kind",
        "ref-host",
        "ref-url",
        "unknown-field",
        "tag-format",
        "ref-stackoverflow-form",
        "ref-issue-form",
        "ruff-snippet",
        "section-missing",
        "section-hand-written",
        "snippet-missing",
        "snippet-section",
        "no-front-matter",
        "bad-yaml",
    ],
)
def test_malformed_page_is_refused_with_file_and_field(tree, old, new, expected) -> None:
    edit(tree, old, new)
    assert expected in errors(tree)


def test_no_page_is_still_a_scaffold() -> None:
    """`fastapi-practices new` writes a valid page with placeholder prose; it must not ship."""
    unfinished = [
        p.src_path for p in catalogue().practices if SCAFFOLD_MARKER in p.page.read_text()
    ]
    assert unfinished == [], f"pages still carrying the scaffold's placeholders: {unfinished}"


def publish(tree: Path, *urls: str) -> None:
    (tree / "tests/published_urls.txt").write_text(
        "# every URL ever published\n" + "".join(f"{url}\n" for url in urls)
    )


OWN_URLS = ("/practices/async/dont-block-the-event-loop/", "/p/FBP201/")


def test_published_url_without_a_page_or_redirect_is_named(tree) -> None:
    publish(tree, *OWN_URLS, "/practices/async/blocking-calls/")
    assert (
        "tests/published_urls.txt: line 4: /practices/async/blocking-calls/ was published and no "
        "page or redirect serves it any more; add a redirect"
    ) in errors(tree)
    # A redirect in mkdocs.yml (read with its !ENV and !!python tags) keeps the address.
    (tree / "mkdocs.yml").write_text(
        "site_url: !ENV [SITE_URL, 'https://example.org/']\n"
        "plugins:\n  - search\n  - redirects:\n      redirect_maps:\n"
        "        practices/async/blocking-calls.md: practices/async/dont-block-the-event-loop.md\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    assert load_catalogue(tree).errors == []


def test_practice_whose_addresses_are_not_published_is_named(tree) -> None:
    publish(tree, "/p/FBP201/")
    assert errors(tree) == (
        f"{PAGE}: field 'id': FBP201's address /practices/async/dont-block-the-event-loop/ is "
        "not in tests/published_urls.txt; add it (a line of its own), so it is kept from then on"
    )


def test_duplicate_id_names_both_files(tree) -> None:
    page = tree / PAGE
    copy = page.with_name("copy-of-it.md")
    copy.write_text(page.read_text())
    (tree / "snippets/async/copy-of-it").mkdir()
    for name in ("bad.py", "good.py"):
        (tree / "snippets/async/copy-of-it" / name).write_text("")
    (tree / "tests/practices/test_copy_of_it.py").write_text("")
    assert (
        "docs/practices/async/dont-block-the-event-loop.md: field 'id': FBP201 is already "
        "used by docs/practices/async/copy-of-it.md"
    ) in errors(tree)


def test_missing_good_snippet_is_named(tree) -> None:
    (tree / "snippets/async/dont-block-the-event-loop/good.py").unlink()
    assert (
        f"{PAGE}: snippet folder snippets/async/dont-block-the-event-loop/ has bad.py but no "
        "good.py" in errors(tree)
    )


def test_missing_test_is_named(tree) -> None:
    (tree / "tests/practices/test_dont_block_the_event_loop.py").unlink()
    assert (
        f"{PAGE}: no behaviour test; expected tests/practices/test_dont_block_the_event_loop.py"
    ) in errors(tree)


def test_orphan_snippet_folder_and_test_are_named(tree) -> None:
    (tree / "snippets/async/forgotten").mkdir()
    (tree / "tests/practices/test_forgotten_too.py").write_text("")
    found = errors(tree)
    assert (
        "snippets/async/forgotten/: snippet folder without a practice page; expected "
        "docs/practices/async/forgotten.md"
    ) in found
    assert "tests/practices/test_forgotten_too.py: behaviour test without a practice page" in found


def test_missing_measurements_are_named(tree) -> None:
    (tree / "tests/measurements/FBP201.json").unlink()
    assert (
        f"{PAGE}: the Proof section shows measurements but tests/measurements/FBP201.json "
        "does not exist"
    ) in errors(tree)


def test_include_of_another_practices_snippet_is_refused(tree) -> None:
    other = tree / "snippets/async/thread-pool-is-limited"
    other.mkdir(parents=True)
    (other / "bad.py").write_text("")
    edit(
        tree,
        '--8<-- "snippets/async/dont-block-the-event-loop/bad.py"',
        '--8<-- "snippets/async/thread-pool-is-limited/bad.py"',
    )
    found = errors(tree)
    assert (
        f"{PAGE}: snippet 'snippets/async/thread-pool-is-limited/bad.py' belongs to another "
        "practice"
    ) in found
    # Its own bad.py is then no longer shown, and that is named too.
    assert (
        f"{PAGE}: snippet 'bad.py' of snippets/async/dont-block-the-event-loop/ is not shown"
        in (found)
    )


def test_front_matter_that_is_a_list_is_named_as_such(tree) -> None:
    file = tree / PAGE
    text = file.read_text()
    front, body = text.split("\n---\n", 1)
    file.write_text("---\n- just\n- a list\n---\n" + body)
    assert f"{PAGE}: front matter must be a mapping of fields" in errors(tree)
    assert front  # the original front matter was there to replace


def test_page_in_the_wrong_folder_is_named(tree) -> None:
    moved = tree / "docs/practices/pydantic/dont-block-the-event-loop.md"
    moved.parent.mkdir(parents=True)
    (tree / PAGE).rename(moved)
    assert (
        "docs/practices/pydantic/dont-block-the-event-loop.md: field 'category': 'async' but "
        "the page lives in docs/practices/pydantic/"
    ) in errors(tree)


def test_unknown_section_is_named(tree) -> None:
    edit(tree, "## Why {#why}", "## Background\n\n## Why {#why}")
    assert f"{PAGE}: section '## Background' is not one of" in errors(tree)


def test_heading_inside_a_code_fence_is_not_a_section(tree) -> None:
    edit(tree, "## Why {#why}", "```text\n## Not a heading\n```\n\n## Why {#why}")
    assert errors(tree) == ""


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("9 30", "line 30 is past the end (18 lines shown)"),
        ("6-9", "line 6 is blank"),
        ("9 x", "'x' is not a line or a range"),
    ],
)
def test_highlighted_line_that_shows_no_code_is_refused(tree, lines, expected) -> None:
    edit(tree, 'title="bad.py" hl_lines="9 10"', f'title="bad.py" hl_lines="{lines}"')
    assert (
        f"{PAGE}: hl_lines '{lines}' on 'snippets/async/dont-block-the-event-loop/bad.py': "
        f"{expected}"
    ) in errors(tree)


def test_figure_typed_into_prose_is_refused(tree) -> None:
    edit(tree, "## Why {#why}\n", "## Why {#why}\n\nTen users wait 17.3 s, or 9.7× longer.\n")
    found = errors(tree)
    for figure in ("17.3 s", "9.7×"):
        assert f"{PAGE}: prose figure '{figure}' is neither measured" in found
    # Inside code, or recorded by the test, a figure is fine.
    edit(tree, "Ten users wait 17.3 s, or 9.7× longer.", "`time.sleep(17.3 s)` stays `9.7×`.")
    assert "prose figure" not in errors(tree)


SNIPPETS_201 = "snippets/async/dont-block-the-event-loop"


def test_identical_bad_and_good_are_refused(tree) -> None:
    good = tree / SNIPPETS_201 / "good.py"
    good.write_bytes((tree / SNIPPETS_201 / "bad.py").read_bytes())
    assert (f"{PAGE}: snippets bad.py and good.py of {SNIPPETS_201}/ are identical") in errors(tree)


def test_a_pair_of_folders_is_a_bad_and_good_pair(tree) -> None:
    for side in ("bad", "good"):
        (tree / SNIPPETS_201 / f"{side}_migrations").mkdir()
        (tree / SNIPPETS_201 / f"{side}_migrations" / "alembic.ini").write_text(f"[{side}]\n")
    # Both folders exist but neither is shown yet.
    found = errors(tree)
    for side in ("bad", "good"):
        assert f"{PAGE}: snippet '{side}_migrations' of {SNIPPETS_201}/ is not shown" in found
    edit(
        tree,
        f'--8<-- "{SNIPPETS_201}/bad.py"',
        f'--8<-- "{SNIPPETS_201}/bad.py"\n    ```\n\n    ```ini\n'
        f'    --8<-- "{SNIPPETS_201}/bad_migrations/alembic.ini"\n    ```\n\n    ```ini\n'
        f'    --8<-- "{SNIPPETS_201}/good_migrations/alembic.ini"',
    )
    assert errors(tree) == ""
    (tree / SNIPPETS_201 / "good_migrations" / "alembic.ini").write_text("[bad]\n")
    assert f"snippets bad_migrations and good_migrations of {SNIPPETS_201}/ are identical" in (
        errors(tree)
    )
    # What Python compiled on one side (running it writes __pycache__/) is not a difference.
    (tree / SNIPPETS_201 / "good_migrations" / "__pycache__").mkdir()
    (tree / SNIPPETS_201 / "good_migrations" / "__pycache__" / "env.cpython-312.pyc").write_bytes(
        b"\x00"
    )
    assert f"snippets bad_migrations and good_migrations of {SNIPPETS_201}/ are identical" in (
        errors(tree)
    )
    shutil.rmtree(tree / SNIPPETS_201 / "good_migrations" / "__pycache__")
    (tree / SNIPPETS_201 / "good_migrations" / "alembic.ini").unlink()
    (tree / SNIPPETS_201 / "good_migrations").rmdir()
    assert "has bad_migrations/ but no good_migrations/" in errors(tree)
