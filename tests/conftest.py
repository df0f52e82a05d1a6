"""Most fixtures come from the fastapi-practices pytest plugin. Here: the built site, the rule
that keeps `make test`'s timing session complete, and a pytest-examples fix for 3.11."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from fastapi_practices.testing.browser import CHROMIUM_FLAGS, chromium_path, serve_folder
from fastapi_practices.testing.project import ROOT

# Hypothesis's pytest plugin imports all of Hypothesis (about 0.8 s) into every pytest
# process; the one module that uses Hypothesis (tests/checker/test_never_crashes.py) does
# not need the plugin. pyproject.toml's addopts leave it out of this run; the pytest runs
# the tests start themselves (the toolkit's, the matrix's, FBP701's) inherit this.
_NO_HYPOTHESIS_PLUGIN = "-p no:hypothesispytest"
if _NO_HYPOTHESIS_PLUGIN not in os.environ.get("PYTEST_ADDOPTS", ""):
    os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} {_NO_HYPOTHESIS_PLUGIN}"

# The public address the site is built for in the tests (mkdocs.yml reads SITE_URL).
SITE_URL = "https://practices.example.org/fastapi/"
# The repository it is built for: "Edit this page" must open the page's file there.
REPO_URL = "https://github.com/example-org/practices-fork"


# Starlette 1.10 nudges TestClient users towards the httpx2 package; snippets keep the
# TestClient that FastAPI's docs teach. Only this exact message is let through, and only
# where the class exists: older Starlette releases (the version matrix) do not have it.
HTTPX2_NUDGE = (
    "ignore:Using `httpx` with `starlette.testclient` is deprecated; install `httpx2` "
    "instead.:starlette.exceptions.StarletteDeprecationWarning"
)


# Starlette before 1.0 builds TestClient on `anyio.abc.BlockingPortal`, an alias that the
# AnyIO release we pin deprecates. It says nothing about a practice; it is let through, by
# its exact message, only where Starlette still uses the alias (older matrix points).
ANYIO_PORTAL_ALIAS = (
    "ignore:The anyio.abc.BlockingPortal alias is deprecated, use "
    "anyio.from_thread.BlockingPortal instead.:DeprecationWarning"
)


def pytest_configure(config: pytest.Config) -> None:
    import importlib.util

    import starlette.exceptions

    if hasattr(starlette.exceptions, "StarletteDeprecationWarning"):
        config.addinivalue_line("filterwarnings", HTTPX2_NUDGE)
    testclient = importlib.util.find_spec("starlette.testclient")  # found, not imported
    if testclient and "anyio.abc.BlockingPortal" in Path(str(testclient.origin)).read_text():
        config.addinivalue_line("filterwarnings", ANYIO_PORTAL_ALIAS)


@pytest.fixture(scope="session")
def site_url() -> str:
    return SITE_URL


@pytest.fixture(scope="session")
def repo_url() -> str:
    return REPO_URL


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The strict build of the site, for SITE_URL: built once per test run, however many
    xdist workers ask for it (the first builds, under a lock; the others wait and reuse)."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder sits in this run's own: share that one.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "site"
    with (shared / "site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "index.html").is_file():
            _build_site(out)
    return out


def _build_site(out: Path) -> None:
    env = {
        **os.environ,
        "SITE_URL": SITE_URL,
        # As the deployment workflow sets them for a fork whose default branch is `trunk`.
        "REPO_URL": REPO_URL,
        "REPO_NAME": "example-org/practices-fork",
        "EDIT_URI": "edit/trunk/docs/",
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(out, ignore_errors=True)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-4000:]}"


def _module_is_timing(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    marks = getattr(module, "pytestmark", [])
    return any(mark.name == "timing" for mark in (marks if isinstance(marks, list) else [marks]))


# The modules that take longest (`make bench` lists the slowest tests), in that order. With
# `--dist loadscope`, xdist hands whole modules to its workers in collection order, and
# these would otherwise come last (tests/test_*.py sorts after tests/checker/ and
# tests/practices/): a worker would start a 40-second module when the others were nearly
# done. Started first, the many short modules fill in around them.
LONGEST_FIRST = (
    "tests/test_browser_pages.py",
    "tests/test_contributing.py",
    "tests/test_browser_search.py",
    "tests/test_browser_a11y.py",
    "tests/test_toolkit.py",
    "tests/test_github.py",
    "tests/checker/test_integrations.py",
)


def _start_order(item: pytest.Item) -> int:
    path = item.nodeid.split("::")[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs the timing tests in a session of their own, over the files that
    mark the whole module `timing`: a timing test marked alone would run in neither.
    The longest modules go first (a stable sort: the rest keep their order)."""
    gone = [path for path in LONGEST_FIRST if not (ROOT / path).is_file()]
    if gone:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FIRST names no file: {gone}")
    items.sort(key=_start_order)
    stray = sorted(
        {
            item.nodeid.split("::")[0]
            for item in items
            if item.get_closest_marker("timing") and not _module_is_timing(item)
        }
    )
    if stray:
        raise pytest.UsageError(
            "mark the whole module, not single tests, as timing "
            f"(`pytestmark = pytest.mark.timing`): {', '.join(stray)}"
        )


if sys.version_info < (3, 12):
    # pytest-examples rebuilds tracebacks with ctypes frames; on 3.11 that can end pytest with
    # "INTERNALERROR> StopIteration" when a snippet raises. Keep the original traceback there.
    import pytest_examples.run_code

    assert hasattr(pytest_examples.run_code, "create_example_traceback"), (
        "pytest-examples no longer has create_example_traceback; drop or redo this patch"
    )
    pytest_examples.run_code.create_example_traceback = lambda exc, module_path, example: (
        exc.__traceback__
    )


# ---------------------------------------------------------------- the site in a browser


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, as a static host serves it."""
    with serve_folder(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(headless_shell=True), args=CHROMIUM_FLAGS
            )
        except PlaywrightError as exc:
            pytest.fail(
                f"no Chromium to drive ({exc.message.splitlines()[0]}): `make test` installs "
                "one (.ci/browser); or install Chromium, or run `playwright install chromium`",
                pytrace=False,
            )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile that may use the clipboard, and whose requests stay on 127.0.0.1."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    context.outside = []  # type: ignore[attr-defined]

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).hostname in {"127.0.0.1", None} or request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            context.outside.append(request.url)  # type: ignore[attr-defined]
            route.abort()

    context.route("**/*", guard)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
