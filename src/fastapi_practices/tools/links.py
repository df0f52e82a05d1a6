"""Check the links of the built site with LinkChecker, and write what broke as Markdown.

    python -m fastapi_practices.tools.links site/                 # links inside the site
    python -m fastapi_practices.tools.links site/ --external      # and every external link
    python -m fastapi_practices.tools.links site/ --report broken.md

LinkChecker (PyPI `linkchecker`) crawls the built pages from `index.html`. Without
`--external` it follows the site's own links and lists external ones without fetching them,
so it works offline: the tests run it that way. The scheduled workflow
(.github/workflows/links.yml) adds `--external` and turns the report into an issue. Each
broken link is named with the page it is on (its address and its Markdown source) and what
LinkChecker got. Exit status: 0 all links work, 1 some are broken, 2 LinkChecker failed.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class BrokenLink:
    """One link that does not work, and the page it is on."""

    page: str
    """The page's address within the site, `practices/async/x/`."""
    source: str
    """The page's Markdown file under docs/, `practices/async/x.md`, when there is one."""
    url: str
    """The link as written in the page."""
    result: str
    """What LinkChecker got: a status line or an error."""


def _page_of(parent: str, site: Path) -> tuple[str, str]:
    path = Path(unquote(urlparse(parent).path))
    try:
        rel = path.resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return parent, ""
    page = rel.removesuffix("index.html")
    source = (page.rstrip("/") or "index") + ".md" if rel.endswith(".html") else ""
    return page or "/", source


def check(site: Path, *, external: bool = False) -> list[BrokenLink]:
    """Every broken link of the built site at `site`, once per page and link."""
    program = shutil.which("linkchecker", path=str(Path(sys.executable).parent))
    program = program or shutil.which("linkchecker")
    if program is None:
        raise RuntimeError("linkchecker is not installed (it is in the test dependencies)")
    command = [program, "--no-status", "--output=csv", "--no-warnings"]
    if external:
        command.append("--check-extern")
    result = subprocess.run(
        [*command, str(site / "index.html")],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"linkchecker failed ({result.returncode}): {result.stderr[-2000:]}")
    rows = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    broken: dict[tuple[str, str], BrokenLink] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        if row.get("valid") != "False":
            continue
        page, source = _page_of(row["parentname"], site)
        broken.setdefault(
            (page, row["urlname"]), BrokenLink(page, source, row["urlname"], row["result"])
        )
    return sorted(broken.values(), key=lambda b: (b.page, b.url))


def report(broken: list[BrokenLink], site_url: str = "") -> str:
    """The Markdown body of the issue the scheduled workflow opens."""
    lines = [f"{len(broken)} broken links on the site:", ""]
    for link in broken:
        where = f"{site_url.rstrip('/')}/{link.page.lstrip('/')}" if site_url else link.page
        source = f" (`docs/{link.source}`)" if link.source else ""
        lines.append(f"- {where}{source}: <{link.url}>: {link.result}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build's site/)")
    parser.add_argument("--external", action="store_true", help="also fetch external links")
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    parser.add_argument("--site-url", default="", help="the public address, for the report")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no index.html; build the site first (make build)", file=sys.stderr)
        return 2
    try:
        broken = check(args.site, external=args.external)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    text = report(broken, args.site_url)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text if broken else "Every link works.", end="" if broken else "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
