"""`make bench`: the strict build's and the whole suite's wall time, and the ten slowest tests.

Run from the project root: `python -m fastapi_practices.tools.bench`. One run each; for a
comparison between two trees, time both back to back on the same machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from fastapi_practices.catalogue import find_root

ROOT = find_root()


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `cmd` in the project root; its wall time and what it printed."""
    start = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, result


def main() -> int:
    """Print the figures; exit 1 if the build or the suite failed."""
    build, built = timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"])
    print(f"strict build:      {build:6.1f} s wall  (exit {built.returncode})")
    if built.returncode:
        print(built.stderr[-3000:])
    suite, ran = timed(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=10"]
    )
    lines = ran.stdout.strip().splitlines()
    summary = lines[-1] if lines else "?"
    print(f"whole test suite:  {suite:6.1f} s wall  {summary.strip('= ')}")
    print("ten slowest test phases:")
    slowest = [line for line in lines if re.match(r"^\d+\.\d+s (call|setup|teardown)", line)]
    for line in slowest[:10]:
        print(f"  {line}")
    return 1 if built.returncode or ran.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
