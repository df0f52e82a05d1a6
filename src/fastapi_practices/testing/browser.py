"""Chromium for the browser tests and the tools: where it is, the flags it runs with here,
and a static server that serves a built site on 127.0.0.1 as a static host would."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium calls Google's hosts at start-up, which nothing here reaches.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""What every headless Chromium the project starts is given."""


def chromium_path(*, headless_shell: bool = False) -> str | None:
    """The system's Chromium (or Chrome), or None for the one Playwright downloaded.

    With `headless_shell`, Chromium's headless shell comes first where it is installed (Debian's
    `chromium-headless-shell`): the browser Playwright itself runs for headless tests, the
    same engine without the desktop browser around it. Here it starts in 0.3 s against
    1.1 s and drew the site's 52 pages with a quarter less CPU. Lighthouse wants the full
    browser, so the tools ask for that."""
    names = ("chromium-headless-shell",) if headless_shell else ()
    for name in (*names, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


_COMPRESSED = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map"})
"""What GitHub Pages (and most static hosts) send gzip-encoded to a browser that asks."""


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        """Text files gzip-encoded when the browser accepts it, as a static host serves
        them; the rest (and redirects, listings, errors) as the standard handler does."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in _COMPRESSED and path.is_file()):
            return super().do_GET()
        body = _gzipped(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)
        return None

    def handle(self) -> None:
        # A browser that moves on to the next page drops downloads it no longer needs.
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            super().handle()


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on a free 127.0.0.1 port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
