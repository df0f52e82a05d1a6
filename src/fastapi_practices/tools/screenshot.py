"""Screenshot FBP504's good snippet as Swagger UI renders it.

Run `.venv/bin/python -m fastapi_practices.tools.screenshot` from the project root.

FastAPI's default /docs page loads Swagger UI's JavaScript and CSS from a CDN. This script
serves them from the app itself instead, as FastAPI's "Custom Docs UI Static Assets
(Self-Hosting)" how-to does: it fetches the swagger-ui-dist package from the npm registry
with `npm pack`, replaces the snippet's /docs route with one built by
`get_swagger_ui_html(swagger_js_url=..., swagger_css_url=...)`, mounts the files with
StaticFiles, and points headless Chromium at 127.0.0.1. Nothing else is contacted.

Needs npm and Chromium (`apt-get install -y chromium`); the test suite does not: it only
checks that the committed PNG is there and is a PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Route

from fastapi_practices.catalogue import find_root
from fastapi_practices.testing.browser import CHROMIUM_FLAGS, chromium_path
from fastapi_practices.testing.live import live_app, load_snippet, snippet_path

ROOT = find_root()

SWAGGER_UI_DIST = "swagger-ui-dist@5.35.0"
PRACTICE = "api-design/help-fastapi-write-clear-docs"
OUTPUT = ROOT / "docs" / "practices" / "api-design" / "help-fastapi-write-clear-docs.png"
# Swagger UI's deep link opens this operation, so its responses show in the picture.
OPERATION = "#/orders/create_order_orders_post"
WINDOW = "1280,1600"


def fetch_swagger_ui(into: Path) -> Path:
    """Unpack swagger-ui-dist from the npm registry into `into`; return its folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found: apt-get install -y npm")
    command = [npm, "pack", SWAGGER_UI_DIST, "--silent", "--pack-destination", str(into)]
    subprocess.run(command, check=True, cwd=into, stdout=subprocess.DEVNULL, timeout=300)
    (tarball,) = into.glob("swagger-ui-dist-*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def self_host_docs(app: FastAPI, assets: Path) -> None:
    """Swap the CDN-loading /docs route for one whose files the app serves itself."""
    app.router.routes = [
        r for r in app.router.routes if not (isinstance(r, Route) and r.path == app.docs_url)
    ]
    app.mount("/static/swagger-ui", StaticFiles(directory=assets), name="swagger-ui")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    app.add_api_route(app.docs_url, swagger_ui, include_in_schema=False)


def screenshot(url: str, output: Path, profile: Path) -> None:
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Chromium not found: apt-get install -y chromium")
    subprocess.run(
        [
            chromium,
            "--headless",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={output}",
            f"--window-size={WINDOW}",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            url,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        assets = fetch_swagger_ui(work)
        module = load_snippet(snippet_path(PRACTICE, "good"))
        self_host_docs(module.app, assets)
        with live_app(module.app) as url:
            screenshot(f"{url}{module.app.docs_url}{OPERATION}", OUTPUT, work / "profile")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
