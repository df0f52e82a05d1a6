"""`make bench`: how long the strict build and the whole suite take here, and FBP201's ratios.

Targets on 2 cores: build under 5 s, `make test` under 60 s (DEVELOPERS.md allows the suite
10 minutes; we aim far lower so it stays pleasant to run before every commit).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "overrides" / "hooks")]
ENV = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result


def main() -> int:
    build, result = timed([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"])
    print(f"strict build:           {build:6.1f} s  (target < 5 s)  exit {result.returncode}")
    suite, result = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"
    print(f"whole test suite:       {suite:6.1f} s  (target < 60 s) {summary}")

    from practices.test_dont_block_the_event_loop import CONCURRENT, concurrency_ratio

    for name in ("bad", "good", "good_await"):
        ratio = concurrency_ratio(name)
        print(f"FBP201 {name + '.py':14}  {ratio:5.1f}x one request for {CONCURRENT} concurrent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
