"""The fixtures come from the fastapi-practices pytest plugin. Here: the rule that keeps
`make test`'s timing session complete, and a pytest-examples fix for Python 3.11."""

from __future__ import annotations

import sys

import pytest


def _module_is_timing(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    marks = getattr(module, "pytestmark", [])
    return any(mark.name == "timing" for mark in (marks if isinstance(marks, list) else [marks]))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs the timing tests in a session of their own, over the files that
    mark the whole module `timing`: a timing test marked alone would run in neither."""
    stray = sorted(
        {
            item.nodeid.split("::")[0]
            for item in items
            if item.get_closest_marker("timing") and not _module_is_timing(item)
        }
    )
    if stray:
        raise pytest.UsageError(
            "mark the whole module, not single tests, as timing "
            f"(`pytestmark = pytest.mark.timing`): {', '.join(stray)}"
        )


if sys.version_info < (3, 12):
    # pytest-examples rebuilds tracebacks with ctypes frames; on 3.11 that can end pytest with
    # "INTERNALERROR> StopIteration" when a snippet raises. Keep the original traceback there.
    import pytest_examples.run_code

    assert hasattr(pytest_examples.run_code, "create_example_traceback"), (
        "pytest-examples no longer has create_example_traceback; drop or redo this patch"
    )
    pytest_examples.run_code.create_example_traceback = lambda exc, module_path, example: (
        exc.__traceback__
    )
