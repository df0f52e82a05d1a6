"""The pytest plugin (entry point `pytest11`): fixtures for the behaviour tests, and `--record`.

It acts only in a catalogue checkout (pytest's rootdir holds mkdocs.yml and docs/practices/):
elsewhere, for example in the pytest runs a behaviour test starts on a snippet, it adds
its options and fixtures and changes nothing.

Figures: a test calls `record(key, label, value, display)`. The figure travels with the
test's report and is kept only if the test's call phase passed, so a test that failed or
skipped records nothing. With `--record`, a run that passed merges the kept figures into
`tests/measurements/<ID>.json`, replacing the same keys and keeping the others.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi_practices.catalogue import Catalogue
    from fastapi_practices.model import Environment, Figure, FigureValue, Measurements

# The catalogue's model (Pydantic, PyYAML) is imported only where it is used, and only in a
# catalogue checkout: installing the package for `fastapi-practices check` (which needs
# neither) must not break pytest in the user's own project, where this plugin loads too.

FIGURE = "fastapi-practices-figure"
_root_key = pytest.StashKey[Path]()
_server_url_key = pytest.StashKey["str | None"]()


RECORD_COMMAND = "FASTAPI_PRACTICES_RECORD_COMMAND"
"""Names the command a measurements file says it was recorded by."""


def current_environment() -> Environment:
    """The releases installed in this environment, as a measurements file records them."""
    from fastapi_practices.model import Environment

    return Environment(
        fastapi=version("fastapi"),
        pydantic=version("pydantic"),
        starlette=version("starlette"),
        uvicorn=version("uvicorn"),
        python=platform.python_version(),
        cpus=str(os.cpu_count()),
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record",
        action="store_true",
        help="merge the figures the passing behaviour tests measured into "
        "tests/measurements/<ID>.json (only when the whole run passes)",
    )
    parser.addoption(
        "--snippets-executed",
        metavar="FILE",
        default=None,
        help="add the snippet files this session's tests executed to FILE (JSON), so "
        "several sessions (make test runs two) can be checked together",
    )
    parser.addoption(
        "--require-every-snippet",
        action="store_true",
        help="fail the session when a snippet file was executed by no test (of this session "
        "and those recorded in --snippets-executed), naming each file",
    )


def pytest_configure(config: pytest.Config) -> None:
    here = config.rootpath
    if not ((here / "mkdocs.yml").is_file() and (here / "docs" / "practices").is_dir()):
        return  # not a catalogue checkout: a user's project, or a snippet's own pytest run
    from fastapi_practices.catalogue import NotAProject, find_root

    try:
        root = find_root(config.rootpath)
    except NotAProject:
        return
    if root != config.rootpath.resolve():
        return
    config.stash[_root_key] = root
    # DATABASE_URL names the server the tests may create databases on. Take it out of the
    # environment, so snippets that read DATABASE_URL see only the per-module database a
    # test hands them, never the developer's server.
    config.stash[_server_url_key] = os.environ.pop("DATABASE_URL", None)
    config.pluginmanager.register(_Recorder(config, root), "fastapi-practices-recorder")
    config.pluginmanager.register(_SnippetCoverage(config, root), "fastapi-practices-snippets")
    from fastapi_practices.testing.live import watch_executions

    watch_executions(root / "snippets")


def _project_root(config: pytest.Config) -> Path:
    root = config.stash.get(_root_key, None)
    if root is None:
        pytest.fail("these fixtures need pytest's rootdir to be a catalogue checkout")
    return root


@pytest.fixture(scope="session")
def catalogue(pytestconfig: pytest.Config) -> Catalogue:
    """The catalogue, read and checked once per test session."""
    from fastapi_practices.catalogue import load_catalogue

    return load_catalogue(_project_root(pytestconfig))


@pytest.fixture(scope="session")
def postgres_server_url(pytestconfig: pytest.Config) -> Iterator[object]:
    """A real PostgreSQL for the whole session (DATABASE_URL's, or an embedded one)."""
    from fastapi_practices.testing.postgres import PostgresUnavailable, postgres_server

    root = _project_root(pytestconfig)
    try:
        with postgres_server(pytestconfig.stash.get(_server_url_key, None), root) as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def database(postgres_server_url: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh, empty database for this test module on the session's PostgreSQL server."""
    from fastapi_practices.testing.live import finish_stopping
    from fastapi_practices.testing.postgres import fresh_database

    with fresh_database(postgres_server_url, Path(request.node.path).stem) as db:  # type: ignore[arg-type]
        yield db
        finish_stopping()  # no server still shutting down holds a connection to it


@pytest.fixture
def record(
    request: pytest.FixtureRequest, catalogue: Catalogue
) -> Callable[[str, str, FigureValue, str], None]:
    """`record(key, label, value, display)`: keep a figure this test measured, for its page.

    Kept only if the test passes; written to the practice's measurements file by `--record`.
    """
    from fastapi_practices.model import Figure

    practice = catalogue.practice_for_test(Path(request.node.path))
    item = request.node

    def _record(key: str, label: str, value: FigureValue, display: str) -> None:
        figure = Figure(key=key, label=label, value=value, display=display)
        item.user_properties[:] = [
            p for p in item.user_properties if not (p[0] == FIGURE and p[1][1]["key"] == key)
        ]
        item.user_properties.append((FIGURE, (practice.id, figure.model_dump(mode="json"))))

    return _record


class _Recorder:
    """Collects the figures of passing tests and, with `--record`, writes them at the end."""

    def __init__(self, config: pytest.Config, root: Path) -> None:
        self.config = config
        self.root = root
        self.figures: dict[str, list[Figure]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the figures of a test whose call phase passed (xdist workers' reports too)."""
        if report.when != "call" or not report.passed:
            return
        from fastapi_practices.model import Figure

        for name, payload in report.user_properties:
            if name == FIGURE:
                practice_id, figure = payload  # type: ignore[misc]
                kept = self.figures.setdefault(practice_id, [])
                kept[:] = [f for f in kept if f.key != figure["key"]]
                kept.append(Figure.model_validate(figure))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = self.config
        if not config.getoption("record") or hasattr(config, "workerinput"):
            return
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        say = reporter.write_line if reporter else print
        if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            # `make measure K=...` runs two sessions; the one with none of K's tests is fine.
            say("--record: no test selected here; no figures written")
            return
        if exitstatus != 0:
            say("--record: the run did not pass; no figures written")
            return
        from fastapi_practices.model import Measurements, StaleFigures

        out = self.root / "tests" / "measurements"
        out.mkdir(exist_ok=True)
        # What a reader should type to measure again: `make measure` says so through
        # RECORD_COMMAND; run by hand, the pytest command line itself.
        command = os.environ.get(RECORD_COMMAND) or shlex.join(
            ["pytest", *config.invocation_params.args]
        )
        writes: list[tuple[Path, Measurements]] = []
        for practice_id, kept in sorted(self.figures.items()):
            newer = Measurements(
                practice=practice_id,
                recorded=datetime.now(UTC).date(),
                command=command,
                environment=current_environment(),
                figures=kept,
            )
            path = out / f"{practice_id}.json"
            if path.is_file():
                try:
                    newer = Measurements.model_validate_json(path.read_text()).merged(newer)
                except StaleFigures as exc:
                    say(f"--record: nothing written: {exc}")
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
                    return
            writes.append((path, newer))
        for path, measurements in writes:  # all or nothing
            path.write_text(measurements.model_dump_json(indent=2) + "\n")
            say(f"--record: {len(measurements.figures)} figures in {path.relative_to(self.root)}")
            self._draw(path, measurements, say)

    def _draw(self, path: Path, measurements: Measurements, say: Callable[[str], object]) -> None:
        """Draw the practice's chart from the figures just written, if it has one."""
        from fastapi_practices import charts

        if measurements.practice not in charts.CHARTS:
            return
        try:
            svg = charts.draw(measurements)
        except KeyError as exc:  # a partial recording without the chart's figures
            say(f"--record: {measurements.practice}'s chart needs figure {exc}; not drawn")
            return
        chart = charts.chart_file(path)
        chart.write_text(svg or "", encoding="utf-8")
        say(f"--record: chart in {chart.relative_to(self.root)}")


EXECUTED = "fastapi-practices-executed"


class _SnippetCoverage:
    """Which snippet files the tests executed (loaded, served, or run by pytest-examples).

    Each report carries the files its test phase executed for the first time in that
    process, so the controller of an xdist run sees every worker's. With
    `--require-every-snippet`, a snippet file that nothing executed fails the session.
    """

    def __init__(self, config: pytest.Config, root: Path) -> None:
        self.config = config
        self.root = root
        self.executed: set[str] = set()
        self.reported: set[Path] = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
        from fastapi_practices.testing.live import executed_snippets

        outcome = yield
        new = executed_snippets() - self.reported
        self.reported |= new
        if new:
            outcome.get_result().user_properties.append((EXECUTED, sorted(map(str, new))))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, payload in report.user_properties:
            if name == EXECUTED:
                self.executed.update(payload)  # type: ignore[arg-type]

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        config = self.config
        if hasattr(config, "workerinput"):
            return
        snippets = (self.root / "snippets").resolve()
        executed = {
            Path(p).resolve().relative_to(snippets).as_posix()
            for p in self.executed
            if Path(p).resolve().is_relative_to(snippets)
        }
        store = config.getoption("snippets_executed")
        if store:
            path = Path(store)
            if path.is_file():
                executed |= set(json.loads(path.read_text()))
            path.write_text(json.dumps(sorted(executed), indent=1) + "\n")
        if not config.getoption("require_every_snippet") or exitstatus != 0:
            return
        every = {p.relative_to(snippets).as_posix() for p in snippets.rglob("*.py")}
        missing = sorted(every - executed)
        if missing:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            say = reporter.write_line if reporter else print
            for name in missing:
                say(f"snippets/{name}: no test executed this snippet file")
            say(f"{len(missing)} snippet files were executed by no test")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
