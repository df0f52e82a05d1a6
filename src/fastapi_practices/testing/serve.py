"""`python -m fastapi_practices.testing.serve ARGS`: uvicorn's command line, noting which
snippet files the server executed.

`live_server` starts servers through it. With FASTAPI_PRACTICES_EXECUTED_OUT and
FASTAPI_PRACTICES_WATCHED_DIR set, it watches that folder and, when uvicorn exits (a
SIGTERM counts as a clean exit), writes the files it executed there as JSON, so the test session
can tell which snippets a test really ran.
"""

import atexit
import json
import os
import signal
import sys
from pathlib import Path

import uvicorn

from fastapi_practices.testing.live import (
    EXECUTED_OUT,
    WATCHED_DIR,
    executed_snippets,
    watch_executions,
)


def _write(out: Path) -> None:
    out.write_text(json.dumps(sorted(map(str, executed_snippets()))))


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # uvicorn shuts down on SIGTERM, then restores the handler it found and raises the signal
    # again; with Python's default handler the process would die before atexit runs.
    raise SystemExit(0)


def main() -> None:
    """Watch the snippets, then hand over to uvicorn's own command line."""
    if os.environ.get(EXECUTED_OUT) and os.environ.get(WATCHED_DIR):
        watch_executions(*map(Path, os.environ[WATCHED_DIR].split(os.pathsep)))
        atexit.register(_write, Path(os.environ[EXECUTED_OUT]))
        signal.signal(signal.SIGTERM, _exit_on_sigterm)

    sys.argv[0] = "uvicorn"
    uvicorn.main()


# A spawn-based process pool (FBP203) re-imports the main module in each worker: only the
# real main may start a server.
if __name__ == "__main__":
    main()
