"""Hypothesis's settings for the checker's property tests."""

from __future__ import annotations

from pathlib import Path

# The property tests are part of `make test`, which must never flake: the same examples on
# every run (derandomize), no example database, and Hypothesis's own caches under .cache/
# rather than a new folder in the checkout.
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

set_hypothesis_home_dir(str(Path(__file__).parents[2] / ".cache" / "hypothesis"))
settings.register_profile("fastapi-practices", derandomize=True, database=None)
settings.load_profile("fastapi-practices")
