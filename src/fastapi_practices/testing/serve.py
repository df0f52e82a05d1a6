"""uvicorn's command line, noting which snippet files the server executed.

`live_server` runs `serve_forked` in a child of a fork server that imported uvicorn and
FastAPI once (`multiprocessing`'s "forkserver"), so starting a server costs the app's own
import, not a fresh interpreter's. `python -m fastapi_practices.testing.serve ARGS` runs
the same from a fresh interpreter.

With FASTAPI_PRACTICES_EXECUTED_OUT and FASTAPI_PRACTICES_WATCHED_DIR set, it watches that
folder and, when uvicorn exits (a SIGTERM counts as a clean exit), writes the files it
executed there as JSON, so the test session can tell which snippet files a test really ran.
"""

import json
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import uvicorn

from fastapi_practices.testing.live import (
    EXECUTED_OUT,
    WATCHED_DIR,
    executed_snippets,
    watch_executions,
)

# What servers import anyway, imported once by the fork server: the stack, and the libraries
# most snippets use. (Importing them has no side effect a snippet could notice: settings
# classes read the environment when instantiated, engines connect when created.)
PRELOAD = (
    "fastapi",
    "uvicorn",
    "httpx",
    "pydantic_settings",
    "sqlalchemy.ext.asyncio",
    __name__,
)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # uvicorn shuts down on SIGTERM, then restores the handler it found and raises the signal
    # again; with Python's default handler the process would die before the report is written.
    raise SystemExit(0)


def _run_uvicorn(argv: Sequence[str]) -> None:
    """Watch the snippets, run uvicorn's command line, and report what it executed."""
    out = os.environ.get(EXECUTED_OUT)
    if out and os.environ.get(WATCHED_DIR):
        watch_executions(*map(Path, os.environ[WATCHED_DIR].split(os.pathsep)))
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.argv = ["uvicorn", *argv]
    try:
        uvicorn.main()
    finally:
        if out:
            Path(out).write_text(json.dumps(sorted(map(str, executed_snippets()))))


def serve_forked(
    sock: socket.socket,
    argv: Sequence[str],
    environ: Mapping[str, str],
    cwd: str,
    log_path: str,
) -> None:
    """The body of a forked server: its own session, the given environment, working
    directory and log, then uvicorn on `sock` (bound by the parent)."""
    os.setsid()  # its own process group, killed as one
    # A forked server has no standard input of its own; uvicorn's multi-worker mode hands
    # its stdin's descriptor to each worker it spawns, so give it /dev/null (FBP902).
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 (fd 0 for the rest of the process)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=True)
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    sys.path.insert(0, cwd)  # as `python -m` would
    # A spawn-based process pool (FBP203) prepares its workers from `__main__`: make it this
    # module, as when it runs with `python -m`, so they import nothing else.
    sys.modules["__main__"] = sys.modules[__name__]
    _run_uvicorn([*argv, "--fd", str(sock.fileno())])


def main() -> None:
    """Hand over to uvicorn's own command line, watching the snippets."""
    _run_uvicorn(sys.argv[1:])


# A spawn-based process pool re-imports the main module in each worker: only the real main
# may start a server.
if __name__ == "__main__":
    main()
