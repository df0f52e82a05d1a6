"""FBP703: an override set in `app.dependency_overrides` applies; a patched module does not.

Each test snippet is a pytest module for the same app (main.py: settings from an
`lru_cache`d dependency, read once at import, and an httpx client to a rates service built
from them). The test serves the real rates service (upstream.py, which counts its calls) on
127.0.0.1, points the app's settings at it, runs each snippet with pytest in a subprocess,
as a project's CI would, and reads each test's outcome from pytest's JUnit XML report and
the number of calls the real service received.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.types import Message, Receive, Scope, Send

from fastapi_practices.testing.live import live_app, live_server, load_snippet, mark_executed
from fastapi_practices.testing.project import SNIPPETS
from fastapi_practices.testing.versions import needs, since

PRACTICE = "testing/override-dependencies-in-tests"
FOLDER = SNIPPETS / PRACTICE
PYTEST_INI = """\
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""
REAL_RATE = 0.9  # what upstream.py answers
FAKE_RATE = 0.5  # what the snippets' fake rates client answers
TEARDOWN_AFTER_RESPONSE = since("fastapi", "0.118.0")


@dataclass
class Run:
    output: str
    failures: dict[str, str]  # test name -> failure message, for each test that failed
    passed: list[str]
    upstream_calls: int


def upstream_calls(url: str) -> int:
    return httpx.get(f"{url}/calls", timeout=10).json()["usd-eur"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Each test snippet's pytest run, all at once, each against a rates service of its own."""
    results = {}
    with contextlib.ExitStack() as stack:
        started = {}
        for name in ("good", "bad", "bad_leak"):
            upstream = stack.enter_context(live_server(FOLDER / "upstream.py"))
            folder = tmp_path_factory.mktemp(name)
            for file in ("main.py", f"{name}.py"):
                shutil.copy(FOLDER / file, folder / file)
                mark_executed(FOLDER / file)
            (folder / "pytest.ini").write_text(PYTEST_INI)
            env = {k: v for k, v in os.environ.items() if k not in ("MAINTENANCE", "APP_NAME")}
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-p",
                    "no:randomly",
                    "--junitxml=report.xml",
                    *[f"{name}.py"],
                ],
                cwd=folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={**env, "RATES_URL": upstream.url},
            )
            stack.callback(process.kill)
            started[name] = (process, folder, upstream.url)
        for name, (process, folder, url) in started.items():
            output = process.communicate(timeout=120)[0]
            report = ET.parse(folder / "report.xml").getroot()  # noqa: S314 (our own run's)
            failures, passed = {}, []
            for case in report.iter("testcase"):
                failure = case.find("failure")
                if failure is None and case.find("error") is None and case.find("skipped") is None:
                    passed.append(case.get("name", ""))
                elif failure is not None:
                    failures[case.get("name", "")] = failure.get("message", "")
            results[name] = Run(output, failures, passed, upstream_calls(url))
    return results


def test_overrides_replace_settings_and_the_upstream_client(runs, record) -> None:
    run = runs["good"]
    # Both pass: the settings override answered 503, the fake client's rate was used, and
    # the second test ran without the first one's settings override (else it gets 503).
    assert run.passed == ["test_maintenance_answers_503", "test_converts_at_the_upstream_rate"]
    assert run.failures == {}, run.output
    assert run.upstream_calls == 0, run.output
    record("good_outcome", "`good.py`: tests passed", len(run.passed), f"{len(run.passed)} of 2")
    record(
        "good_calls",
        "`good.py`: calls the real rates service received",
        run.upstream_calls,
        str(run.upstream_calls),
    )


def test_patching_the_module_silently_does_not_apply(runs, record) -> None:
    run = runs["bad"]
    assert run.passed == [], run.output
    # MAINTENANCE set after import: the settings were read (and cached) when main.py was
    # imported, so the app still sees maintenance off, answers 200 and calls the real service.
    assert run.failures["test_maintenance_answers_503"].startswith("assert 200 == 503")
    # main.get_rates_client replaced: the route still holds the original function, so the
    # conversion used the real service's rate, not the fake one.
    message = run.failures["test_converts_at_the_upstream_rate"]
    assert f"'eur': {round(10 * REAL_RATE, 2)}" in message, run.output
    assert f"'eur': {round(10 * FAKE_RATE, 2)}" in message, run.output
    assert run.upstream_calls == 2, run.output
    record("bad_outcome", "`bad.py`: tests passed", len(run.passed), f"{len(run.passed)} of 2")
    record(
        "bad_calls",
        "`bad.py`: calls the real rates service received",
        run.upstream_calls,
        str(run.upstream_calls),
    )


def test_an_override_left_in_place_leaks_into_the_next_test(runs, record) -> None:
    run = runs["bad_leak"]
    assert run.passed == ["test_maintenance_answers_503"], run.output
    # The second test never set maintenance, yet it is answered 503: the first test's
    # settings override is still in app.dependency_overrides.
    message = run.failures["test_converts_at_the_upstream_rate"]
    assert "'detail': 'Down for maintenance'" in message, run.output
    assert run.upstream_calls == 0, run.output
    record(
        "leak_outcome", "`bad_leak.py`: tests passed", len(run.passed), f"{len(run.passed)} of 2"
    )


@pytest.fixture
def main(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, str]]:
    """main.py imported here, its settings pointing at a live rates service; and that URL."""
    with live_server(FOLDER / "upstream.py") as upstream:
        monkeypatch.setenv("RATES_URL", upstream.url)
        monkeypatch.delenv("MAINTENANCE", raising=False)
        module = load_snippet(FOLDER / "main.py")
        yield module, upstream.url
        module.app.dependency_overrides.clear()


def test_the_key_must_be_the_object_named_in_depends(main, monkeypatch) -> None:
    """Overrides are looked up by the very callable in `Depends()`: the `lru_cache` wrapper,
    not the function it wraps. An env var set after import is ignored until the cache is
    cleared."""
    module, upstream = main
    maintenance = module.Settings(rates_url="http://rates.test", maintenance=True)
    with live_app(module.app) as url:

        def status() -> int:
            return httpx.get(f"{url}/convert", params={"usd": 10}, timeout=10).status_code

        assert status() == 200
        # What the app read at import to build itself is out of any override's reach.
        renamed = module.Settings(rates_url="http://rates.test", app_name="Renamed")
        module.app.dependency_overrides[module.get_settings] = lambda: renamed
        assert httpx.get(f"{url}/openapi.json", timeout=10).json()["info"]["title"] == "Prices"
        module.app.dependency_overrides.clear()

        module.app.dependency_overrides[module.get_settings.__wrapped__] = lambda: maintenance
        assert status() == 200  # silently ignored: the wrapped function is not in Depends()
        module.app.dependency_overrides.clear()
        module.app.dependency_overrides[module.get_settings] = lambda: maintenance
        assert status() == 503
        module.app.dependency_overrides.clear()

        monkeypatch.setenv("MAINTENANCE", "true")
        assert status() == 200  # read at import, cached
        module.get_settings.cache_clear()
        assert status() == 503
    assert upstream_calls(upstream) == 3


def _recording(app: FastAPI, events: list[str]):
    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                events.append("response start")
            await send(message)

        await app(scope, receive, sending)

    return recording


def _teardown_order(app: FastAPI, events: list[str], path: str) -> list[str]:
    events.clear()
    with live_app(_recording(app, events)) as url:
        assert httpx.get(f"{url}{path}", timeout=10).json() == "fake"
        deadline = time.monotonic() + 5  # teardown may run just after the answer arrives
        while "fake exit" not in events and time.monotonic() < deadline:
            time.sleep(0.01)
    return list(events)


def _fake(events: list[str]):
    def fake() -> Iterator[str]:
        events.append("fake enter")
        yield "fake"
        events.append("fake exit")

    return fake


def real() -> Iterator[str]:
    yield "real"


def test_an_override_runs_its_teardown_when_the_original_would() -> None:
    """A yield override of a plain `Depends`: its teardown runs after the response is sent
    from FastAPI 0.118.0 on, before it on older releases, as the original's does."""
    events: list[str] = []
    app = FastAPI()

    @app.get("/default")
    def default(value: Annotated[str, Depends(real)]) -> str:
        events.append("endpoint")
        return value

    app.dependency_overrides[real] = _fake(events)
    order = _teardown_order(app, events, "/default")
    if TEARDOWN_AFTER_RESPONSE:
        assert order == ["fake enter", "endpoint", "response start", "fake exit"]
    else:
        assert order == ["fake enter", "endpoint", "fake exit", "response start"]


@needs("fastapi", "0.121.0", "Depends(scope=...)")
def test_an_override_keeps_the_scope_of_the_depends_it_replaces() -> None:
    """`Depends(real, scope="function")`: the override's teardown, too, runs before the
    response is sent."""
    events: list[str] = []
    app = FastAPI()

    @app.get("/function")
    def function(value: Annotated[str, Depends(real, scope="function")]) -> str:  # type: ignore[call-arg]
        events.append("endpoint")
        return value

    app.dependency_overrides[real] = _fake(events)
    order = _teardown_order(app, events, "/function")
    assert order == ["fake enter", "endpoint", "fake exit", "response start"]


def test_depends_takes_a_scope_from_0_121_0() -> None:
    if since("fastapi", "0.121.0"):
        Depends(real, scope="function")  # type: ignore[call-arg]
    else:
        with pytest.raises(TypeError, match="unexpected keyword argument 'scope'"):
            Depends(real, scope="function")  # type: ignore[call-arg]
