"""`make test-matrix`: every practice's tests on each supported FastAPI release.

    python -m fastapi_practices.tools.matrix                   # every point in pyproject.toml
    python -m fastapi_practices.tools.matrix --points 0.115.14 latest --report report.md

The points are `[tool.fastapi-practices] matrix` in pyproject.toml. For each, uv builds an
environment of its own under .cache/matrix/: our locked test dependencies, except FastAPI
(the point's release; `latest` for the newest) and Pydantic, Starlette and uvicorn, for
which uv takes the newest releases that resolve with it. The practices' behaviour tests and
snippet tests run there in two sessions, as `make test` runs them (the timing tests alone),
and pytest's JUnit XML says what passed. Each practice gets a verdict per point (holds,
fails, or n/a when every test is marked as needing a later release), written to
tests/matrix.json, which the site build shows on each page. Exit status 1 when a claim
fails on some point; `--report` writes those failures as Markdown (the weekly workflow turns
them into an issue).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from pathlib import Path

from fastapi_practices.catalogue import MATRIX_FILE, Catalogue, find_root, load_catalogue
from fastapi_practices.model import (
    Environment,
    Matrix,
    MatrixPoint,
    PracticeVerdict,
    Verdict,
)

# Our pins of these give way to the newest releases that resolve with the point's FastAPI.
FLOATING = ("fastapi", "starlette", "pydantic", "pydantic-core", "uvicorn")
NOT_APPLICABLE = re.compile(r"\bneeds (FastAPI|Starlette|Pydantic|uvicorn) \d")


def configured_points(root: Path) -> list[str]:
    """`[tool.fastapi-practices] matrix` in pyproject.toml, oldest first."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["fastapi-practices"]["matrix"])


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise SystemExit("uv not found: run through `make test-matrix`, or set UV")
    return found


def _requirements(root: Path) -> str:
    """The locked app and test dependencies, without the floating packages' pins."""
    exported = subprocess.run(
        [_uv(), "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-header",
         "--no-default-groups", "--group", "app", "--group", "test"],
        cwd=root, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    floating = re.compile(rf"^({'|'.join(map(re.escape, FLOATING))})==", re.I)
    return "".join(
        line + "\n"
        for line in exported.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not floating.match(line)
    )


def environment(root: Path, point: str) -> Path:
    """The point's environment, built once (`latest` is built afresh on every run). Two
    runs asking for the same point at once take turns: one builds, the other reuses."""
    folder = root / ".cache" / "matrix" / f"fastapi-{point}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".lock-{point}").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(root, point, folder)


def _build(root: Path, point: str, folder: Path) -> Path:
    requirements = _requirements(root)
    wanted = "fastapi" if point == "latest" else f"fastapi=={point}"
    stamp = hashlib.sha256(f"{requirements}{wanted}{sys.version}".encode()).hexdigest()[:16]
    if point != "latest" and (folder / f".stamp-{stamp}").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    (folder.parent / f"requirements-{point}.txt").write_text(requirements)
    python = os.path.realpath(sys.executable)
    print(f"matrix: building the environment for FastAPI {point}", file=sys.stderr, flush=True)
    subprocess.run([_uv(), "venv", "--quiet", "--python", python, str(folder)],
                   check=True, timeout=300)  # fmt: skip
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--compile-bytecode", "--python",
         str(folder / "bin" / "python"), "-r", str(folder.parent / f"requirements-{point}.txt"),
         wanted, *FLOATING[1:3], FLOATING[4], "-e", str(root)],
        check=True, timeout=900,
    )  # fmt: skip
    (folder / f".stamp-{stamp}").touch()
    return folder


def _installed(python: Path) -> Environment:
    code = (
        "from fastapi_practices.testing.plugin import current_environment as c;"
        "print(c().model_dump_json())"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout  # fmt: skip
    return Environment.model_validate_json(out)


def _timing_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / "tests" / "practices").glob("test_*.py")
        if "pytest.mark.timing" in p.read_text(encoding="utf-8")
    )


def run_tests(root: Path, python: Path, reports: Path) -> list[Path]:
    """Both sessions of the practices' tests; the JUnit XML files they wrote."""
    reports.mkdir(parents=True, exist_ok=True)
    common = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
              "console_output_style=classic"]  # fmt: skip
    sessions = [
        ["tests/practices", "tests/test_snippets.py", "-m", "not timing", "-n", "3",
         "--dist", "loadscope"],
        ["-m", "timing", *_timing_files(root)],
    ]  # fmt: skip
    written = []
    for number, args in enumerate(sessions, 1):
        xml = reports / f"session-{number}.xml"
        xml.unlink(missing_ok=True)
        subprocess.run([*common, *args, f"--junitxml={xml}"], cwd=root, timeout=3600,
                       check=False)  # fmt: skip
        if not xml.is_file():
            raise SystemExit(f"matrix: pytest wrote no report for session {number}")
        written.append(xml)
    return written


def _practice_of(case: ET.Element, catalogue: Catalogue) -> str | None:
    """The practice a JUnit test case belongs to: its behaviour test module, or the snippet
    a snippet test was parametrised with."""
    classname, name = case.get("classname", ""), case.get("name", "")
    module = classname.rsplit(".", 1)[-1]
    param = re.search(r"\[([a-z-]+/[a-z0-9-]+)/", name)
    for practice in catalogue.practices:
        if module == practice.test_file.stem:
            return practice.id
        if param and param.group(1) == f"{practice.meta.category}/{practice.slug}":
            return practice.id
    return None


def verdicts(xml_files: list[Path], catalogue: Catalogue) -> dict[str, PracticeVerdict]:
    """Each practice's verdict from the test cases of its tests."""
    cases: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for xml in xml_files:
        for case in ET.parse(xml).iter("testcase"):  # noqa: S314 (pytest's own report)
            practice = _practice_of(case, catalogue)
            if practice is None:
                continue
            outcome, message = "passed", ""
            for kind in ("failure", "error", "skipped"):
                found = case.find(kind)
                if found is not None:
                    outcome, message = kind, found.get("message", "")
                    break
            cases[practice].append((case.get("name", ""), outcome, message))
    results = {}
    for practice in catalogue.practices:
        ran = cases.get(practice.id, [])
        failed = [name for name, outcome, _ in ran if outcome in ("failure", "error")]
        passed = [name for name, outcome, _ in ran if outcome == "passed"]
        skipped = [message for _, outcome, message in ran if outcome == "skipped"]
        not_applicable = [m for m in skipped if NOT_APPLICABLE.search(m)]
        if failed:
            results[practice.id] = PracticeVerdict(verdict=Verdict.FAILS, detail=", ".join(failed))
        elif not passed and not_applicable:
            detail = not_applicable[0][not_applicable[0].index("needs ") :]
            results[practice.id] = PracticeVerdict(verdict=Verdict.NOT_APPLICABLE, detail=detail)
        elif not passed:
            results[practice.id] = PracticeVerdict(verdict=Verdict.FAILS, detail="no test ran")
        else:
            reasons = {m[m.index("needs ") :] for m in not_applicable}
            results[practice.id] = PracticeVerdict(
                verdict=Verdict.HOLDS, detail="; ".join(sorted(reasons))
            )
    return results


def merge(root: Path, points: list[MatrixPoint], command: str) -> Matrix:
    """The matrix file with these points replaced, in the configured order."""
    path = root / MATRIX_FILE
    old = Matrix.model_validate_json(path.read_text()) if path.is_file() else None
    by_point = {p.point: p for p in (old.points if old else [])}
    by_point.update({p.point: p for p in points})
    order = configured_points(root)
    kept = [by_point[p] for p in order if p in by_point]
    kept += [p for name, p in by_point.items() if name not in order and name == "latest"]
    return Matrix(command=command, points=kept)


def report(points: list[MatrixPoint], catalogue: Catalogue) -> str:
    """The failing cells, as the weekly workflow's issue body."""
    lines = []
    for point in points:
        env = point.environment
        for practice_id, cell in sorted(point.results.items()):
            if cell.verdict == Verdict.FAILS:
                title = catalogue.by_id()[practice_id].meta.title
                lines.append(
                    f"- **{practice_id}** ({title}) fails on FastAPI {env.fastapi} "
                    f"(Starlette {env.starlette}, Pydantic {env.pydantic}, uvicorn "
                    f"{env.uvicorn}, Python {env.python}): {cell.detail}"
                )
    if not lines:
        return "Every practice holds on every release run.\n"
    return "A claim stopped holding:\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", nargs="+", help="the releases to run (default: all)")
    parser.add_argument("--report", type=Path, help="write the failing cells here (Markdown)")
    args = parser.parse_args(argv)
    root = find_root()
    catalogue = load_catalogue(root)
    if catalogue.errors:
        print("\n".join(catalogue.errors), file=sys.stderr)
        return 1
    points = args.points or configured_points(root)
    measured = []
    for point in points:
        folder = environment(root, point)
        python = folder / "bin" / "python"
        xml_files = run_tests(root, python, root / ".cache" / "matrix" / f"reports-{point}")
        measured.append(
            MatrixPoint(
                point=point,
                ran=date.today(),
                environment=_installed(python),
                results=verdicts(xml_files, catalogue),
            )
        )
    # The command that runs every point again, whichever points this run refreshed.
    matrix = merge(root, measured, "make test-matrix")
    (root / MATRIX_FILE).write_text(json.dumps(matrix.model_dump(mode="json"), indent=2) + "\n")
    text = report(measured, catalogue)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text, end="")
    failing = any(c.verdict == Verdict.FAILS for p in measured for c in p.results.values())
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
