"""Run snippet apps the way production does: a real uvicorn process on 127.0.0.1.

Every load loop here is bounded in count and time, and only loopback is ever contacted.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0


def snippet_path(practice_dir: str, name: str) -> Path:
    """`snippet_path("async/dont-block-the-event-loop", "bad")` -> the file, which must exist."""
    path = SNIPPETS / practice_dir / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"snippet {path.relative_to(ROOT)} does not exist")
    return path


def load_snippet(path: Path) -> ModuleType:
    """Import a snippet file under a unique module name, as the reader's project would."""
    name = "snippet_" + "_".join(path.relative_to(SNIPPETS).with_suffix("").parts).replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self) -> str:
        """What the server printed so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


@contextmanager
def live_server(
    app_path: Path,
    *,
    app: str = "app",
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    app_dir: Path | None = None,
    module: str | None = None,
) -> Iterator[LiveServer]:
    """Start `uvicorn <module>:<app>` on a free loopback port and stop it afterwards.

    `app_path` is a snippet file; for a multi-module snippet pass `app_dir` (the folder put
    on sys.path) and `module` (the dotted module holding the app).
    """
    port = free_port()
    app_dir = app_dir or app_path.parent
    module = module or app_path.stem
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{module}:{app}",
        "--app-dir",
        str(app_dir),
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        *args,
    ]
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    # A file, not a pipe: a chatty server never blocks on it. Closed when the server stops.
    log = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=child_env, cwd=app_dir
    )
    server = LiveServer(url=f"http://{HOST}:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"uvicorn for {app_path.relative_to(ROOT)} exited with {process.returncode}:\n"
                    + server.output()
                )
            try:
                with socket.create_connection((HOST, port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"uvicorn for {app_path.relative_to(ROOT)} did not listen on port {port} "
                        f"within {START_TIMEOUT:.0f} s"
                    ) from None
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


# ------------------------------------------------------------------ measuring


@dataclass
class Timed:
    status: int
    seconds: float
    body: bytes


async def _timed_get(client: httpx.AsyncClient, url: str) -> Timed:
    start = time.perf_counter()
    response = await client.get(url)
    return Timed(response.status_code, time.perf_counter() - start, response.content)


async def _concurrent(url: str, n: int, timeout: float) -> tuple[float, list[Timed]]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        await client.get(url)  # warm up: imports, first connection, lazy caches
        start = time.perf_counter()
        results = await asyncio.gather(*(_timed_get(client, url) for _ in range(n)))
        return time.perf_counter() - start, list(results)


def concurrent_get(url: str, n: int, *, timeout: float = 60.0) -> tuple[float, list[Timed]]:
    """Send `n` GETs at once (exactly n, each with a timeout); the wall time and each result."""
    if not 1 <= n <= 200:
        raise ValueError("n must be between 1 and 200")
    return asyncio.run(_concurrent(url, n, timeout))


def single_get(url: str, *, repeat: int = 3, timeout: float = 60.0) -> float:
    """The best of `repeat` sequential GETs: one request's own latency, queueing excluded."""
    best = float("inf")
    with httpx.Client(timeout=timeout) as client:
        client.get(url)
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            response.raise_for_status()
            best = min(best, time.perf_counter() - start)
    return best


@contextmanager
def live_app(app: object) -> Iterator[str]:
    """Serve an app object already imported in this process with uvicorn on 127.0.0.1.

    For tests that count what happens inside the app (calls, validator runs): the server is
    real (sockets, HTTP parsing, uvicorn's event loop in its own thread), and the test can
    still look inside the module it imported.
    """
    import threading

    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"in-process uvicorn did not start on port {port}")
        time.sleep(0.02)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
