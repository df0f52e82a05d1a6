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


def import_graph(name: str) -> dict[str, set[str]]:
    """Which modules of the tree each module imports, read from its import statements with
    `ast` (a submodule named in `from pkg import mod` counts as that submodule)."""
    root = FOLDER / root_package(name)
    modules = {
        ".".join(path.relative_to(FOLDER).with_suffix("").parts).removesuffix(".__init__"): path
        for path in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        graph[module] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    graph[module].add(child if child in modules else node.module)
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names if a.name in modules)
    return graph


def forbidden_pairs(name: str) -> set[tuple[str, str]]:
    """(source, forbidden) pairs of the contract joined by some chain of imports: what
    import-linter must report, worked out here without it."""
    config = (FOLDER / contract_file(name)).read_text()

    def patterns(key: str) -> list[str]:
        block = re.search(rf"^{key} =\n((?:    \S+\n?)+)", config, re.M)
        assert block, key
        # A listed module stands for its whole package, as in import-linter.
        return [re.escape(p).replace(r"\*", r"[^.]+") + r"(\..+)?" for p in block.group(1).split()]

    graph = import_graph(name)
    sources, forbidden = patterns("source_modules"), patterns("forbidden_modules")
    pairs = set()
    for start in (m for m in graph if any(re.fullmatch(p, m) for p in sources)):
        seen, todo = set(), [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        pairs |= {(start, m) for m in seen if any(re.fullmatch(p, m) for p in forbidden)}
    return pairs


def reported_chains(output: str) -> dict[tuple[str, str], list[str]]:
    """import-linter's broken chains: (importer, imported) -> the modules along the chain."""
    chains = {}
    for block in re.finditer(
        r"^(\S+) is not allowed to import (\S+):\n\n((?:-?\s+\S+ -> \S+ \(l\.\d+\)\n)+)",
        output,
        re.M,
    ):
        hops = re.findall(r"(\S+) -> (\S+) \(l\.\d+\)", block.group(3))
        chains[block.group(1), block.group(2)] = [hops[0][0]] + [b for _, b in hops]
    return chains


def contract_status(output: str) -> str:
    found = re.search(
        r"^The auth domain does not import the posts domain (KEPT|BROKEN)$", output, re.M
    )
    assert found, output
    return found.group(1).lower()


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
    assert "Contracts: 1 kept, 0 broken." in result.stdout
    status, chains = contract_status(result.stdout), reported_chains(result.stdout)
    assert status == "kept"
    # src.auth imports nothing of src.posts, directly or through another module.
    assert set(chains) == forbidden_pairs("good") == set()
    spans = packages_holding("good", "posts")
    assert spans == {"posts"}
    record(
        "good-contract",
        "`good.py` (by domain): import-linter contract",
        status,
        f"{status}, {len(chains)} forbidden import chains",
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
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    status, chains = contract_status(result.stdout), reported_chains(result.stdout)
    assert status == "broken"
    # The aggregating __init__.py of each type package pulls posts into every auth module.
    assert chains["app.routers.auth", "app.schemas.posts"] == [
        "app.routers.auth",
        "app.schemas",
        "app.schemas.posts",
    ]
    assert chains["app.dependencies", "app.crud.posts"] == [
        "app.dependencies",
        "app.crud",
        "app.crud.posts",
    ]
    # Every pair that some import chain joins is reported, and nothing else.
    assert set(chains) == forbidden_pairs("bad")
    spans = packages_holding("bad", "posts")
    assert spans == {"crud", "routers", "schemas"}
    record(
        "bad-contract",
        "`bad.py` (by type): the same contract",
        status,
        f"{status}, {len(chains)} forbidden import chains",
    )
    record(
        "bad-spread",
        "`bad.py`: packages holding the posts feature",
        len(spans),
        f"{len(spans)} (`{'/`, `'.join(sorted(spans))}/`)",
    )
