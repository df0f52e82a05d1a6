"""FBP102: importing another domain's members by name lets same-named members collide
(`ErrorCode` of auth and of posts); importing the module (`auth_constants`) cannot."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import httpx
import pytest

from fastapi_practices.testing.lint import ruff_findings
from fastapi_practices.testing.live import live_server, snippet_path
from fastapi_practices.testing.project import SNIPPETS

PRACTICE = "project-structure/import-other-domains-by-module-name"
FOLDER = SNIPPETS / PRACTICE
# bad.py and good.py are the posts domain's router, with the app around it.
OWN_DOMAIN = {"bad.py": "posts", "good.py": "posts"}


def domain_of(path: Path) -> str:
    rel = path.relative_to(FOLDER)
    return OWN_DOMAIN.get(rel.as_posix()) or rel.parts[1]


def cross_domain_imports_by_member(path: Path) -> list[str]:
    """`from src.<other>.<module> import name` or an unaliased `from src.<other> import
    <module>` in code of another domain: the checker this practice asks for."""
    own = domain_of(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("src."):
            continue
        parts = node.module.split(".")
        if parts[1] == own:
            continue
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        if len(parts) > 2 or any(a.asname in (None, a.name) for a in node.names):
            found.append(f"{path.name}:{node.lineno}: from {node.module} import {names}")
    return found


def ruff(*args: str, cwd: Path) -> list[str]:
    """Run the pinned ruff; one `file:line: CODE` per finding, the file relative to `cwd`."""
    return [
        f"{Path(d['filename']).relative_to(cwd)}:{d['location']['row']}: {d['code']}"
        for d in ruff_findings(*args, cwd=cwd)
    ]


def error_code(name: str, path: str) -> tuple[int, str | None]:
    with live_server(snippet_path(PRACTICE, name)) as server:
        response = httpx.get(server.url + path, timeout=10)
    body = response.json()
    return response.status_code, body.get("detail", {}).get("code") if "detail" in body else None


@pytest.mark.parametrize("name", ["bad", "good"])
def test_both_serve_a_users_post(name: str) -> None:
    with (
        live_server(snippet_path(PRACTICE, name)) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        assert client.get("/users/ada/posts/1").json() == {
            "title": "Notes on engines",
            "author": "ada",
        }
        missing_post = client.get("/users/ada/posts/2")
        assert (missing_post.status_code, missing_post.json()) == (
            404,
            {"detail": {"code": "POST_NOT_FOUND"}},
        )


def test_clashing_member_import_returns_the_wrong_error_code(record) -> None:
    status, code = error_code("bad", "/users/grace/posts/1")
    record("bad", "`bad.py`: error code for an unknown user", code, f"{status} `{code}`")
    # The route raises auth's NOT_FOUND, but posts' ErrorCode, imported second, took the name.
    assert (status, code) == (404, "POST_NOT_FOUND")


def test_module_import_keeps_each_domain_code(record) -> None:
    status, code = error_code("good", "/users/grace/posts/1")
    record("good", "`good.py`: error code for an unknown user", code, f"{status} `{code}`")
    assert (status, code) == (404, "USER_NOT_FOUND")


def test_checker_flags_member_imports_from_other_domains(record) -> None:
    bad = cross_domain_imports_by_member(FOLDER / "bad.py")
    assert bad == [
        "bad.py:2: from src.auth.constants import ErrorCode",
        "bad.py:3: from src.auth.service import get_user",
    ]
    good = [
        hit
        for path in sorted(FOLDER.rglob("*.py"))
        if path.name != "bad.py"
        for hit in cross_domain_imports_by_member(path)
    ]
    assert good == []
    record(
        "checker",
        "Cross-domain imports by member name (`bad.py` / `good.py`)",
        [len(bad), len(good)],
        f"{len(bad)} / {len(good)}",
    )


def test_f811_misses_the_collision_once_the_first_name_is_used(tmp_path: Path) -> None:
    """F811 only reports a name rebound while still unused: read it in between and it stays
    quiet, though the second import still takes the name."""
    lines = (FOLDER / "bad.py").read_text().splitlines()
    second = lines.index("from src.posts.constants import ErrorCode") + 1
    lines.insert(
        lines.index("from src.auth.constants import ErrorCode") + 1, "X = ErrorCode.NOT_FOUND"
    )
    (tmp_path / "used_first.py").write_text("\n".join(lines) + "\n")
    shutil.copy(FOLDER / "bad.py", tmp_path)
    found = ruff("--isolated", "--select", "F811", ".", cwd=tmp_path)
    assert found == [f"bad.py:{second}: F811"]


def test_banned_from_in_a_domain_folder_flags_member_imports(tmp_path: Path) -> None:
    """ruff's ICN003 (banned-from), set in a ruff.toml inside the posts folder, flags member
    imports from the auth modules it lists, and not the aliased module imports."""
    shutil.copytree(FOLDER / "src", tmp_path / "src")
    for name in ("bad", "good"):
        shutil.copy(FOLDER / f"{name}.py", tmp_path / "src" / "posts" / f"{name}_router.py")
    auth_modules = sorted(f"src.auth.{p.stem}" for p in (FOLDER / "src" / "auth").glob("[!_]*.py"))
    (tmp_path / "src" / "posts" / "ruff.toml").write_text(
        '[lint]\nselect = ["ICN003"]\n[lint.flake8-import-conventions]\n'
        f"banned-from = {auth_modules!r}\n".replace("'", '"')
    )
    found = ruff("src/posts", cwd=tmp_path)
    assert found == [
        "src/posts/bad_router.py:2: ICN003",
        "src/posts/bad_router.py:3: ICN003",
    ]
