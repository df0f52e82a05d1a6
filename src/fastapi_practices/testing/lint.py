"""Ask the installed ruff what it finds: for tests that prove a lint rule's claim."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def ruff_findings(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> list[dict[str, Any]]:
    """`ruff check --no-cache --output-format json ARGS`: its diagnostics. Pass `-` among
    `args` and the source as `stdin` to check text. Fails if ruff itself fails."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "json", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ruff failed: {result.stderr}")
    return json.loads(result.stdout)


def rule_codes(source: str, select: str, *, filename: str = "probe.py") -> list[str]:
    """The codes ruff's own defaults plus `select` report on `source`, sorted, repeats kept."""
    found = ruff_findings(
        "--isolated", "--select", select, "--stdin-filename", filename, "-", stdin=source
    )
    return sorted(d["code"] for d in found)
