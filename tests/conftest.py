"""The fixtures come from the fastapi-practices pytest plugin; only a pytest-examples fix
for Python 3.11 lives here."""

from __future__ import annotations

import sys

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
