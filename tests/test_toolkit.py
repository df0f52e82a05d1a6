"""The package's outward parts: the command, the MkDocs plugin refusing a malformed catalogue,
the measurements schema, and the pytest plugin's --record.

Each works on a small catalogue copied into a temporary folder (one real practice, FBP201),
so the checks are real and nothing of the checkout is touched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fastapi_practices.catalogue import load_catalogue
from fastapi_practices.model import Environment, Figure, Measurements, StaleFigures
from fastapi_practices.testing.project import ROOT, catalogue, copy_practice
from fastapi_practices.testing.project import run_command as run

PAGE = "docs/practices/async/dont-block-the-event-loop.md"
COMMAND = [sys.executable, "-m", "fastapi_practices"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A catalogue of one practice, FBP201, that builds: pages, snippets, test, figures."""
    copy_practice("FBP201", tmp_path, site=True)
    assert load_catalogue(tmp_path).errors == []
    return tmp_path


def drop_line(file: Path, prefix: str) -> None:
    lines = file.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) == len(lines) - 1, f"no single line starting {prefix!r} in {file}"
    file.write_text("".join(kept))


# ------------------------------------------------------------------ fastapi-practices validate


def test_validate_passes_on_the_checkout() -> None:
    result = run(*COMMAND, "validate", str(ROOT), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert f"{len(catalogue().practices)} practices, no problems" in result.stderr


def test_validate_names_the_file_of_a_page_without_summary(project: Path) -> None:
    drop_line(project / PAGE, "summary:")
    result = run(*COMMAND, "validate", str(project), cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{PAGE}: field 'summary': Field required"]


def test_validate_refuses_a_folder_that_is_no_catalogue(tmp_path: Path) -> None:
    result = run(*COMMAND, "validate", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "no catalogue at or above" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run(*COMMAND, "no-such-command", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("fastapi-practices")
    result = run(str(script), "--version", cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("fastapi-practices ")


# ------------------------------------------------------------------ the MkDocs plugin


def test_build_refuses_a_malformed_catalogue_naming_file_and_field(project: Path) -> None:
    drop_line(project / PAGE, "summary:")
    result = run(sys.executable, "-m", "mkdocs", "build", "--strict", cwd=project)
    assert result.returncode == 1
    assert "The practice catalogue is malformed" in result.stderr
    assert f"{PAGE}: field 'summary': Field required" in result.stderr


def test_build_names_a_malformed_measurements_file(project: Path) -> None:
    figures = project / "tests/measurements/FBP201.json"
    data = json.loads(figures.read_text())
    del data["environment"]
    figures.write_text(json.dumps(data))
    result = run(sys.executable, "-m", "mkdocs", "build", "--strict", cwd=project)
    assert result.returncode == 1
    assert (
        f"{PAGE}: its figures cannot be read: tests/measurements/FBP201.json: "
        "field 'environment': Field required"
    ) in result.stderr


def test_build_of_the_small_catalogue_passes(project: Path) -> None:
    result = run(sys.executable, "-m", "mkdocs", "build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    html = (project / "site/p/FBP201/index.html").read_text()
    assert "practices/async/dont-block-the-event-loop/" in html


# ------------------------------------------------------------------ the measurements schema

ENV = Environment(fastapi="1", pydantic="2", starlette="3", uvicorn="4", python="3.12.1", cpus="2")


def measurements(env: Environment, **figures: float) -> Measurements:
    return Measurements(
        practice="FBP201",
        recorded="2026-12-01",
        command="pytest --record",
        environment=env,
        figures=[Figure(key=k, label=k, value=v, display=str(v)) for k, v in figures.items()],
    )


def test_merge_replaces_same_keys_and_keeps_the_rest() -> None:
    merged = measurements(ENV, a=1, b=2).merged(measurements(ENV, b=3, c=4))
    assert {f.key: f.value for f in merged.figures} == {"a": 1, "b": 3, "c": 4}


def test_merge_never_mixes_two_environments() -> None:
    other = ENV.model_copy(update={"python": "3.13.0"})
    with pytest.raises(StaleFigures, match=r"figures a were recorded on .*Python 3\.12\.1"):
        measurements(ENV, a=1, b=2).merged(measurements(other, b=3))
    # A run that measured every key may replace the file.
    replaced = measurements(ENV, a=1).merged(measurements(other, a=5))
    assert replaced.environment.python == "3.13.0"


# ------------------------------------------------------------------ the pytest plugin: --record

FIGURE_TESTS = """\
import pytest

def test_passes(record):
    record("passed", "a test that passed", {passed}, "{passed}")

def test_skips(record):
    record("skipped", "a test that skipped", 1, "1")
    pytest.skip("the machine is busy")

def test_fails(record):
    record("failed", "a test that failed", 1, "1")
    assert {fail} is False
"""


def record_run(project: Path, passed: int, *, fail: bool = False, k: str = "") -> int:
    test = project / "tests/practices/test_dont_block_the_event_loop.py"
    test.write_text(FIGURE_TESTS.format(passed=passed, fail=fail))
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    args = ["-m", "pytest", "-p", "no:cacheprovider", "--record", str(test)]
    # run_command writes no .pyc: the test file was just rewritten, maybe at the same size.
    return run(sys.executable, *args, *(["-k", k] if k else []), cwd=project).returncode


def keys(project: Path) -> dict[str, object]:
    data = json.loads((project / "tests/measurements/FBP201.json").read_text())
    return {f["key"]: f["value"] for f in data["figures"]}


def test_record_keeps_only_figures_of_passing_tests(project: Path) -> None:
    (project / "tests/measurements/FBP201.json").unlink()
    assert record_run(project, 7, k="not fails") == 0
    assert keys(project) == {"passed": 7}  # the skipped test recorded nothing


def test_record_writes_nothing_when_the_run_fails(project: Path) -> None:
    (project / "tests/measurements/FBP201.json").unlink()
    assert record_run(project, 7, k="not fails") == 0
    assert record_run(project, 8, fail=True) == 1
    assert keys(project) == {"passed": 7}


def test_record_of_a_session_that_selects_nothing_says_so(project: Path) -> None:
    """`make measure K=...` runs two sessions; the one that holds none of K's tests is not
    a failed run, and its message must not say it is."""
    before = keys(project)
    assert record_run(project, 7, k="nothing") == pytest.ExitCode.NO_TESTS_COLLECTED
    test = project / "tests/practices/test_dont_block_the_event_loop.py"
    args = ["-m", "pytest", "-p", "no:cacheprovider", "--record", str(test), "-k", "nothing"]
    result = run(sys.executable, *args, cwd=project)
    assert result.returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "--record: no test selected here; no figures written" in result.stdout
    assert "did not pass" not in result.stdout
    assert keys(project) == before


def test_partial_record_keeps_the_figures_it_did_not_measure(project: Path) -> None:
    before = keys(project)
    figures = project / "tests/measurements/FBP201.json"
    data = json.loads(figures.read_text())
    data["environment"] = json.loads(
        subprocess.run(
            [sys.executable, "-c", "from fastapi_practices.testing.plugin import "
             "current_environment as e; print(e().model_dump_json())"],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    figures.write_text(json.dumps(data))
    assert record_run(project, 9, k="passes") == 0
    assert keys(project) == {**before, "passed": 9}
