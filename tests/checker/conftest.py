"""Makes tests/checker/examples.py importable as `checker_examples` (the tests are not a
package, and pytest imports them in importlib mode)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if "checker_examples" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "checker_examples", Path(__file__).with_name("examples.py")
    )
    assert _spec is not None and _spec.loader is not None
    sys.modules["checker_examples"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["checker_examples"])


# The property tests are part of `make test`, which must never flake: the same examples on
# every run (derandomize), no example database, and Hypothesis's own caches under .cache/
# rather than a new folder in the checkout.
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(str(Path(__file__).parents[2] / ".cache" / "hypothesis"))
settings.register_profile("fastapi-practices", derandomize=True, database=None)
settings.load_profile("fastapi-practices")
