"""FBP101: in a by-domain tree a domain is a package, so its boundary is one import-linter
contract that holds; the same rule on a by-type tree has to name files in every type
folder, and the type packages' aggregating `__init__.py` break it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fastapi_practices.testing.live import live_server, snippet_path
from fastapi_practices.testing.project import SNIPPETS

PRACTICE = "project-structure/organise-by-domain"
FOLDER = SNIPPETS / PRACTICE


def root_package(name: str) -> str:
    """The package whose `main` the entry module (bad.py, good.py) serves."""
    tree = ast.parse(snippet_path(PRACTICE, name).read_text())
    (module,) = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert module and module.endswith(".main")
    return module.split(".")[0]


def contract_file(name: str) -> str:
    """The contract file written for the tree that `name` serves (its root_package)."""
    root = root_package(name)
    (found,) = [
        path.name
        for path in FOLDER.glob("*.importlinter")
        if re.search(rf"^root_package = {root}$", path.read_text(), re.M)
    ]
    return found


def lint_imports(name: str) -> subprocess.CompletedProcess[str]:
    """Run import-linter's CLI with the tree's contract file, from the snippet folder."""
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--config",
            contract_file(name),
            "--no-cache",
            "--no-logo",
        ],
        cwd=FOLDER,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def packages_holding(name: str, feature: str) -> set[str]:
    """The top-level packages of the app that hold a file of `feature`."""
    root = FOLDER / root_package(name)
    return {
        path.relative_to(root).parts[0]
        for path in root.rglob("*.py")
        if feature in path.relative_to(root).with_suffix("").parts
    }


@pytest.mark.parametrize("name", ["bad", "good"])
def test_both_layouts_serve_the_same_api(name: str) -> None:
    with (
        live_server(snippet_path(PRACTICE, name)) as server,
        httpx.Client(base_url=server.url, headers={"X-User": "ada"}) as client,
    ):
        created = client.post("/posts", json={"title": "Notes on engines"})
        assert created.status_code == 201
        post = created.json()
        assert post == {"title": "Notes on engines", "id": 1, "author": "ada"}
        assert client.get(f"/posts/{post['id']}").json() == post
        assert client.get("/posts/99").status_code == 404
        assert client.get("/auth/me").json() == {"username": "ada", "active": True}
        assert client.get("/auth/me", headers={"X-User": "nobody"}).status_code == 401


def test_domain_contract_holds_on_the_by_domain_tree(record) -> None:
    result = lint_imports("good")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The auth domain does not import the posts domain KEPT" in result.stdout
    assert "Contracts: 1 kept, 0 broken." in result.stdout
    spans = packages_holding("good", "posts")
    assert spans == {"posts"}
    record(
        "good-contract",
        "`good.py` (by domain): import-linter contract",
        "kept",
        "kept, 0 forbidden import chains",
    )
    record(
        "good-spread",
        "`good.py`: packages holding the posts feature",
        len(spans),
        "1 (`src/posts/`)",
    )


def test_same_rule_breaks_on_the_by_type_tree(record) -> None:
    result = lint_imports("bad")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The auth domain does not import the posts domain BROKEN" in result.stdout
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    chains = re.findall(r"^(app\.\S+) is not allowed to import (app\.\S+):", result.stdout, re.M)
    # The aggregating __init__.py of each type package pulls posts into every auth module.
    assert ("app.routers.auth", "app.schemas.posts") in chains
    assert ("app.dependencies", "app.crud.posts") in chains
    spans = packages_holding("bad", "posts")
    assert spans == {"crud", "routers", "schemas"}
    record(
        "bad-contract",
        "`bad.py` (by type): the same contract",
        "broken",
        f"broken, {len(chains)} forbidden import chains",
    )
    record(
        "bad-spread",
        "`bad.py`: packages holding the posts feature",
        len(spans),
        f"{len(spans)} (`{'/`, `'.join(sorted(spans))}/`)",
    )
