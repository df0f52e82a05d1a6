"""The project's own Python (tests, the catalogue hook) is ruff-clean and ruff-formatted.

Snippets are held to their own rules, page by page, in tests/test_snippets.py.
"""

import subprocess
import sys

from fastapi_practices.testing.project import ROOT


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_passes() -> None:
    result = ruff("check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_code_unchanged() -> None:
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
