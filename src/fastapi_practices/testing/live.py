"""Run snippet apps the way production does: a real uvicorn on 127.0.0.1.

Each server gets a socket this process bound first (so no other process can take its port
between choosing and binding it), runs in a process and process group of its own (so the
workers it spawns stop with it), and is stopped when the `with` block ends, whatever
happened inside. Its process is forked from a fork server that imported uvicorn and
FastAPI once: what it runs is uvicorn's own command line, in a fresh process of its own,
without paying for those imports on every start.

It also keeps the record of which snippet files ran, in this process (an audit hook on
every module body Python executes) and in the servers it starts (they report at exit), for
the session's check that no snippet file goes unexecuted.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import json
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import ModuleType
from typing import IO

import httpx
import uvicorn

from fastapi_practices.testing.project import root

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

_executed: set[Path] = set()
_watched: list[str] = []
_copies: dict[Path, Path] = {}  # a copy of a snippet folder -> the folder it was copied from
_hooked: list[bool] = []
EXECUTED_OUT = "FASTAPI_PRACTICES_EXECUTED_OUT"
WATCHED_DIR = "FASTAPI_PRACTICES_WATCHED_DIR"


def _on_audit_event(event: str, args: tuple[object, ...]) -> None:
    # `exec` is raised for every module body Python runs, however it was loaded (import,
    # importlib by path, alembic's revision loader): its code object names the file.
    if event == "exec" and args:
        filename = getattr(args[0], "co_filename", "")
        if filename.startswith(tuple(_watched)):
            mark_executed(Path(filename))


def watch_executions(*folders: Path) -> None:
    """From now on, also note every Python file under `folders` that this process executes.
    (An audit hook: it stays for the life of the process.)"""
    if not _hooked:
        sys.addaudithook(_on_audit_event)
        _hooked.append(True)
    _watched.extend(str(folder.resolve()) + os.sep for folder in folders)


def copy_snippets(source: Path, dest: Path, *, ignore: Sequence[str] = ("__pycache__",)) -> Path:
    """Copy a snippet folder for a test to change or run elsewhere; what runs from the copy
    counts as running the snippet files it came from."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*ignore))
    _copies[dest.resolve()] = source.resolve()
    watch_executions(dest)
    return dest


def _original(path: Path) -> Path:
    for copy, source in _copies.items():
        if path.is_relative_to(copy):
            return source / path.relative_to(copy)
    return path


def snippets_dir() -> Path:
    """The checkout's `snippets/` folder."""
    return root() / "snippets"


def snippet_path(practice_dir: str, name: str) -> Path:
    """`snippet_path("async/dont-block-the-event-loop", "bad")` -> the file, which must exist."""
    path = snippets_dir() / practice_dir / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"snippet {path} does not exist")
    return path


def mark_executed(*paths: Path) -> None:
    """Note that a test ran these snippet files (or every `.py` file under these folders)."""
    for path in paths:
        path = _original(path.resolve())
        _executed.update(path.rglob("*.py") if path.is_dir() else [path])


def executed_snippets() -> frozenset[Path]:
    """Every snippet file a test in this process loaded or served so far (servers still
    stopping are waited for)."""
    finish_stopping()
    return frozenset(_executed)


def load_snippet(path: Path) -> ModuleType:
    """Import a snippet file under a unique module name, as the reader's project would."""
    parts = path.resolve().relative_to(snippets_dir().resolve()).with_suffix("").parts
    name = "snippet_" + "_".join(parts).replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    mark_executed(path)
    return module


def bound_socket() -> socket.socket:
    """A listening TCP socket on a free loopback port, bound before anyone else can take it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class LiveServer:
    """A uvicorn process serving one app."""

    url: str
    process: BaseProcess
    log: IO[bytes]

    def output(self) -> str:
        """What the server printed so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


READY_PATH = "/__fastapi_practices_ready__"


def _wait_until_serving(url: str, died: Callable[[], str | None], describe: str) -> None:
    """Until the server answers anything (a 404 will do) on a path no app serves."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            # Short: the socket listens from the start, so a connection to a server that died
            # during start-up is accepted by the kernel and then never answered.
            httpx.get(url + READY_PATH, timeout=0.2)
            return
        except httpx.HTTPError:
            pass
        reason = died()
        if reason:
            raise RuntimeError(f"{describe} {reason}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{describe} did not answer within {START_TIMEOUT:.0f} s")
        time.sleep(0.01)


def _mark_executed_by_child(report: Path) -> None:
    """The snippet files a stopped server executed (written at its exit), as executed here."""
    if report.is_file():
        mark_executed(*(Path(p) for p in json.loads(report.read_text())))


@dataclass
class _Stopping:
    """A server told to stop, not yet reaped."""

    process: BaseProcess
    report: Path  # the snippet files it executed, written as it exits
    scratch: tempfile.TemporaryDirectory[str]  # holds the report and the log
    deadline: float = 0.0  # set when it is told to stop


_stopping: list[_Stopping] = []


def _reap(stopping: _Stopping, *, wait: bool) -> bool:
    """Reap a stopping server (SIGKILL its group once its deadline passed); False if it is
    still running and `wait` is false."""
    process = stopping.process
    if wait:
        process.join(max(0.0, stopping.deadline - time.monotonic()))
        if process.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.join(STOP_TIMEOUT)
    if process.exitcode is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers the server started and left behind
    try:
        _mark_executed_by_child(stopping.report)
    finally:
        stopping.scratch.cleanup()
        process.close()
    return True


def finish_stopping() -> None:
    """Wait for every server that was told to stop: each gets STOP_TIMEOUT seconds to shut
    down cleanly, then its process group is killed. What they executed is noted here."""
    while _stopping:
        _reap(_stopping.pop(0), wait=True)


def _stop(stopping: _Stopping) -> None:
    """SIGTERM the server's whole process group and let it shut down while the test goes
    on; `finish_stopping` (run before the database fixture drops a database, before the
    session counts executed snippets, and at exit) waits for it."""
    stopping.deadline = time.monotonic() + STOP_TIMEOUT
    with contextlib.suppress(ProcessLookupError):
        os.killpg(stopping.process.pid, signal.SIGTERM)
    _stopping[:] = [s for s in _stopping if not _reap(s, wait=False)]
    _stopping.append(stopping)


def _at_exit() -> None:
    """Reap the servers still stopping, then stop the fork server (if this process started
    one): it would otherwise outlive the test run until every process it forked is gone."""
    finish_stopping()
    if _fork_server.cache_info().currsize:
        from multiprocessing import forkserver

        # Private, but what CPython's own tests use, from 3.4 to 3.14. SIGTERM first, so the
        # wait cannot hang on a process that still holds the server's "alive" pipe.
        server = forkserver._forkserver
        pid = getattr(server, "_forkserver_pid", None)
        if pid is not None and hasattr(server, "_stop"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            server._stop()


atexit.register(_at_exit)


@functools.cache
def _fork_server() -> BaseContext:
    """multiprocessing's fork server, with what every app imports already imported: a
    server forked from it starts in a fraction of a fresh interpreter's time. (It is a
    separate, single-threaded process started for this; this process is never forked.)"""
    from fastapi_practices.testing import serve

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(serve.PRELOAD))
    return context


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
    """Serve `<module>:<app>` with uvicorn's command line on a loopback port, in a process
    of its own with this process's environment plus `env`, working in `app_dir`.

    `app_path` is a snippet file; for a multi-module snippet pass `app_dir` (the folder put
    on sys.path, whose `.py` files all count as executed) and `module` (the dotted module
    holding the app). For an installed module, pass its import name as `module`.
    """
    from fastapi_practices.testing.serve import serve_forked

    app_dir = app_dir or app_path.parent
    module = module or app_path.stem
    with contextlib.ExitStack() as stack:
        sock = stack.enter_context(bound_socket())
        port = sock.getsockname()[1]
        scratch_dir = tempfile.TemporaryDirectory()
        scratch = Path(scratch_dir.name)
        executed_out = scratch / "executed.json"
        argv = [f"{module}:{app}", "--app-dir", str(app_dir), "--log-level", "warning"]
        argv += ["--no-access-log", *args]
        environ = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            EXECUTED_OUT: str(executed_out),
            WATCHED_DIR: os.pathsep.join(_watched or [str(snippets_dir())]),
            **(env or {}),
        }
        # A file, not a pipe: a chatty server never blocks on it.
        log_path = scratch / "server.log"
        log_path.touch()
        log = stack.enter_context(log_path.open("rb"))
        process = _fork_server().Process(
            target=serve_forked,
            args=(sock, argv, environ, str(app_dir), str(log_path)),
            name=f"uvicorn {module}:{app}",
        )
        try:
            process.start()
        except BaseException:
            scratch_dir.cleanup()
            raise
        stack.callback(_stop, _Stopping(process, executed_out, scratch_dir))
        server = LiveServer(url=f"http://{HOST}:{port}", process=process, log=log)

        def died() -> str | None:
            if process.exitcode is None:
                return None
            return f"exited with {process.exitcode}:\n{server.output()}"

        _wait_until_serving(server.url, died, f"uvicorn serving {module}:{app}")
        # It answers, so its module ran, even if the server is killed before its own report
        # of what it executed is written (a request still hanging at the stop, FBP904).
        mark_executed(app_path)
        yield server


@contextmanager
def live_app(app: object) -> Iterator[str]:
    """Serve an app object already imported in this process with uvicorn on 127.0.0.1.

    For tests that count what happens inside the app (calls, validator runs): the server is
    real (sockets, HTTP parsing, uvicorn's event loop in its own thread), and the test can
    still look inside the module it imported.
    """
    with bound_socket() as sock:
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not server.started:
                if not thread.is_alive():
                    raise RuntimeError(f"in-process uvicorn on port {port} stopped during start-up")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"in-process uvicorn did not start on port {port}")
                time.sleep(0.02)
            yield f"http://{HOST}:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=STOP_TIMEOUT)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=STOP_TIMEOUT)
            if thread.is_alive():
                raise RuntimeError(f"in-process uvicorn on port {port} did not stop")


def wait_until(condition: Callable[[], object], *, timeout: float, interval: float = 0.01) -> bool:
    """Whether `condition()` became true within `timeout` seconds, polled every `interval`:
    for what a live server does in its own time (a log line, a background task's result)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def single_get(url: str, *, repeat: int = 3, timeout: float = 60.0) -> float:
    """The best of `repeat` GETs sent one at a time: one request's own latency, queueing
    excluded. Each goes over a fresh connection opened beforehand, as `burst` sends them,
    so a ratio of the two compares like with like. (A keep-alive client would add the
    40 ms of delayed ACK that a response written in two parts can wait for.)"""
    from fastapi_practices.testing.load import burst

    burst(url, 1, timeout=timeout, warm_up=False)  # warm up
    return min(burst(url, 1, timeout=timeout, warm_up=False).wall for _ in range(repeat))
