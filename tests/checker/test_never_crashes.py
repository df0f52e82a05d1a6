"""No generated Python stops the checker: every rule (opt-in ones too) runs over source that
hypothesmith writes from Python's grammar, and the engine neither raises nor reports an
internal error (a rule that raises on some input is a bug of that rule)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import all_rules

CHECKER = Checker(all_rules())

# Words the rules look for, so that generated code reaches past their first test.
NAMES = (
    "import time, requests, httpx, hashlib, bcrypt\n"
    "from fastapi import FastAPI, Depends, APIRouter\n"
    "from pydantic import BaseModel, BaseSettings, validator, root_validator\n"
    "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import Session\n"
    "from typing import Annotated, Any\nfrom jose import jwt\n"
)


def _hypothesmith():  # type: ignore[no-untyped-def]
    # Imported when a test draws its first example, not when pytest collects this module:
    # hypothesmith builds Python's grammar on import (2 to 4 s), which every xdist worker
    # would otherwise pay, whichever tests it runs.
    import hypothesmith

    return hypothesmith


def run(source: str, name: str = "module.py") -> None:
    report = CHECKER.check_source(source, name)
    assert report.errors == [], report.errors


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.deferred(lambda: _hypothesmith().from_grammar()))
def test_generated_modules(source: str) -> None:
    run(source)
    run(NAMES + source)


# From libcst's node types: fewer, as each takes longer to draw (about 0.3 s).
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.deferred(lambda: _hypothesmith().from_node()))
def test_generated_syntax_trees(source: str) -> None:
    run(source)
    run(NAMES + source)


@settings(max_examples=50, deadline=None)
@given(st.text(), st.sampled_from(["module.py", "alembic.ini", "pyproject.toml", "env.py"]))
def test_any_text_under_any_name(text: str, name: str) -> None:
    run(text, name)
