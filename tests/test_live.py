"""live_server: every server is stopped with the processes it started, even one that will
not stop by itself, and a server that dies during start-up is reported at once."""

import time
from pathlib import Path

import httpx
import psutil
import pytest

from fastapi_practices.testing import live
from fastapi_practices.testing.live import finish_stopping, live_server, snippet_path

HANGS_ON_SHUTDOWN = """
import asyncio
import subprocess
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app):
    # A helper process that ignores SIGTERM: only the group's SIGKILL ends it.
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3600)"
    app.state.helper = subprocess.Popen([sys.executable, "-c", code])
    yield
    await asyncio.sleep(3600)  # never finishes shutting down, nor stops its helper


app = FastAPI(lifespan=lifespan)


@app.get("/helper")
async def helper() -> int:
    return app.state.helper.pid
"""

FAILS_AT_IMPORT = """
raise SystemExit("no configuration")
"""


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def gone(pids: list[int], within: float = 5.0) -> bool:
    """Whether every process in `pids` has ended (a killed process takes a moment to)."""
    deadline = time.monotonic() + within
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_stopped_server_takes_its_worker_processes_with_it() -> None:
    cpu_app = snippet_path("async/keep-cpu-bound-work-off-the-event-loop", "good")
    with live_server(cpu_app) as server:
        # A request starts the process pool's first worker.
        params = {"below": 1000}
        httpx.get(f"{server.url}/primes", params=params, timeout=60).raise_for_status()
        tree = psutil.Process(server.process.pid)
        pids = [tree.pid, *(child.pid for child in tree.children(recursive=True))]
    assert len(pids) >= 2, "the pool started no worker process"
    finish_stopping()
    assert gone(pids)


def test_a_server_that_will_not_stop_is_killed_after_the_stop_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hangs.py").write_text(HANGS_ON_SHUTDOWN)
    monkeypatch.setattr(live, "STOP_TIMEOUT", 0.5)
    with live_server(tmp_path / "hangs.py") as server:
        pids = [server.process.pid, httpx.get(server.url + "/helper", timeout=10).json()]
    start = time.monotonic()
    finish_stopping()
    waited = time.monotonic() - start
    assert gone(pids)
    # It waited for the timeout, then killed: the shutdown would have taken an hour.
    assert 0.3 < waited < 5


def test_a_server_that_dies_at_start_up_is_reported_with_its_output(tmp_path: Path) -> None:
    (tmp_path / "fails.py").write_text(FAILS_AT_IMPORT)
    start = time.monotonic()
    with (
        pytest.raises(RuntimeError, match=r"(?s)exited with 1.*no configuration"),
        live_server(tmp_path / "fails.py"),
    ):
        pass
    assert time.monotonic() - start < live.START_TIMEOUT / 3
