"""The checker's engine and command: configuration, selection, `# noqa`, the files a run
reads, exit statuses, and that no input stops a run. The rules here are small examples of
this module's own (the real rules have their own tests)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fastapi_practices.checker.base import Module
from fastapi_practices.checker.config import (
    SITE_URL,
    Config,
    ConfigError,
    find_pyproject,
    load_config,
    select_rules,
)
from fastapi_practices.checker.engine import Checker, display_path, noqa_lines
from fastapi_practices.cli import main
from fastapi_practices.testing.checker import (
    EXAMPLES,
    SLEEPY,
    Broken,
    IniTemplate,
    LiteralSleep,
    PrintCall,
    write,
)
from fastapi_practices.testing.project import ROOT


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command runs this module's example rules instead of the real ones."""
    monkeypatch.setattr("fastapi_practices.checker.command.all_rules", lambda: [*EXAMPLES, Broken])


def run_check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


# Selection and configuration.


def test_selection_by_code_prefix_name_and_opt_in() -> None:
    rules = EXAMPLES
    assert select_rules(rules, None, []) == [LiteralSleep, IniTemplate]
    assert select_rules(rules, ["FBP2"], []) == [LiteralSleep]
    assert select_rules(rules, ["ALL"], []) == [LiteralSleep, IniTemplate]
    assert select_rules(rules, ["FBP9"], []) == []  # a prefix does not opt in
    assert select_rules(rules, ["FBP903"], []) == [PrintCall]
    assert select_rules(rules, ["example-print", "FBP"], []) == EXAMPLES
    assert select_rules(rules, None, ["example-ini"]) == [LiteralSleep]
    assert select_rules(rules, ["ALL", "FBP903"], ["FBP5"]) == [LiteralSleep, PrintCall]


def test_config_reads_its_keys_and_leaves_others_alone(tmp_path: Path) -> None:
    pyproject = (
        write(
            tmp_path,
            {
                "pyproject.toml": """
            [tool.fastapi-practices]
            matrix = ["0.115.14"]
            select = ["FBP2"]
            ignore = ["FBP202"]
            per-file-ignores = {"tests/*" = ["FBP201"]}
            exclude = ["legacy"]
            site-url = "https://example.org/fbp"
            """
            },
        )
        / "pyproject.toml"
    )
    config = load_config(pyproject)
    assert config.select == ["FBP2"]
    assert config.ignore == ["FBP202"]
    assert config.per_file_ignores == {"tests/*": ["FBP201"]}
    assert config.exclude == ["legacy"]
    assert config.url("FBP201") == "https://example.org/fbp/p/FBP201/"
    assert config.root == tmp_path.resolve()
    assert Config().url("FBP201") == f"{SITE_URL}p/FBP201/"


def test_our_own_pyproject_is_a_valid_configuration() -> None:
    found = find_pyproject(ROOT / "snippets" / "database" / "name-migrations-by-date-and-slug")
    assert found == ROOT / "pyproject.toml"  # the snippet's pyproject has no table: passed
    assert load_config(found).select is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = "FBP201"', "select must be a list of strings"),
        ("ignore = [201]", "ignore must be a list of strings"),
        ('per-file-ignores = ["x"]', "per-file-ignores must be a table"),
        ('per-file-ignores = {"a/*" = "FBP201"}', "per-file-ignores 'a/*' must be a list"),
        ("site-url = 3", "site-url must be a string"),
        ("exclude = [true]", "exclude must be a list"),
        ("select = [", "not valid TOML"),
    ],
)
def test_a_wrong_type_is_an_error_naming_file_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.fastapi-practices]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_config(pyproject)
    assert str(pyproject) in str(caught.value)


def test_command_exits_2_on_a_bad_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.fastapi-practices]\nselect = 1\n", "a.py": ""})
    status, out, err = run_check(capsys, tmp_path / "a.py")
    assert status == 2
    assert "pyproject.toml: [tool.fastapi-practices] select must be a list" in err
    assert out == ""


def test_a_selector_that_names_no_rule_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"a.py": SLEEPY})
    status, _, err = run_check(capsys, tmp_path, "--isolated", "--select", "FBP2,FPB201")
    assert status == 2
    assert "'FPB201' names no rule" in err


# The command: output, exit statuses, configuration from the checked project.


def test_findings_exit_1_with_text_lines_and_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"app/main.py": SLEEPY, "app/clean.py": "x = 1\n"})
    status, out, err = run_check(capsys, tmp_path, "--isolated")
    assert status == 1
    path = display_path(tmp_path / "app" / "main.py")
    assert out == f"{path}:4:5: FBP201 `time.sleep` blocks ({SITE_URL}p/FBP201/)\n"
    assert "1 finding in 2 files" in err
    assert run_check(capsys, tmp_path, "--isolated", "--exit-zero")[0] == 0
    assert run_check(capsys, tmp_path / "app" / "clean.py", "--isolated")[0] == 0


def test_configuration_is_found_upwards_and_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """
            [tool.fastapi-practices]
            select = ["FBP201", "example-print"]
            per-file-ignores = {"tests/*" = ["FBP2"]}
            exclude = ["legacy"]
            site-url = "https://example.org/"
            """,
            "src/main.py": SLEEPY,
            "tests/test_main.py": SLEEPY,
            "legacy/old.py": SLEEPY,
        },
    )
    status, out, _ = run_check(capsys, tmp_path / "src", tmp_path / "tests", tmp_path / "legacy")
    assert status == 1
    lines = out.splitlines()
    src = display_path(tmp_path / "src" / "main.py")
    tests = display_path(tmp_path / "tests" / "test_main.py")
    assert lines == [
        f"{src}:4:5: FBP201 `time.sleep` blocks (https://example.org/p/FBP201/)",
        f"{src}:5:5: FBP903 a print (https://example.org/p/FBP903/)",
        f"{tests}:5:5: FBP903 a print (https://example.org/p/FBP903/)",
    ]
    # The command line goes on top: --select replaces, --ignore adds, --site-url wins.
    status, out, _ = run_check(
        capsys, tmp_path / "src", "--ignore", "FBP9", "--site-url", "https://x.org/fbp/"
    )
    assert out == f"{src}:4:5: FBP201 `time.sleep` blocks (https://x.org/fbp/p/FBP201/)\n"
    status, out, _ = run_check(capsys, tmp_path / "src", "--select", "example-print")
    assert [line.split(": ")[1][:6] for line in out.splitlines()] == ["FBP903"]


def test_an_explicit_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"conf/pyproject.toml": "[tool.fastapi-practices]\nignore = ['FBP2']\n"})
    write(tmp_path, {"a.py": SLEEPY})
    assert run_check(capsys, tmp_path / "a.py", "--isolated")[0] == 1
    assert (
        run_check(capsys, tmp_path / "a.py", "--config", tmp_path / "conf/pyproject.toml")[0] == 0
    )
    status, _, err = run_check(capsys, tmp_path / "a.py", "--config", tmp_path / "nope.toml")
    assert status == 2
    assert "nope.toml: cannot read it" in err


def test_a_missing_path_is_a_usage_error_but_the_others_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"a.py": SLEEPY})
    status, out, err = run_check(capsys, tmp_path / "a.py", tmp_path / "nope", "--isolated")
    assert status == 2
    assert "nope: no such file or folder" in err
    assert "FBP201" in out


def test_a_broken_rule_is_an_internal_error_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(tmp_path, {"a.py": SLEEPY + "boom = 1\n", "b.py": SLEEPY})
    status, out, err = run_check(capsys, tmp_path, "--isolated", "--select", "FBP2")
    assert status == 2
    a = display_path(tmp_path / "a.py")
    assert f"internal error in rule FBP202 example-broken on file {a}: KeyError" in err
    assert len(out.splitlines()) == 2  # both files' findings are still reported


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "xml", "."]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_list_rules_and_statistics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    status, out, _ = run_check(capsys, "--list-rules", "--isolated")
    assert status == 0
    assert "FBP903  example-print (opt-in) (informational): A call of `print`" in out
    write(tmp_path, {"a.py": SLEEPY * 2})
    status, out, _ = run_check(capsys, tmp_path, "--isolated", "--statistics")
    assert status == 1
    assert out == "    2  FBP201  example-sleep\n"


# Suppression comments.


def test_noqa_by_code_list_and_bare_and_not_in_strings() -> None:
    source = textwrap.dedent(
        """\
        import time
        time.sleep(1)  # noqa: FBP201
        time.sleep(1)  # noqa:FBP202,FBP201
        time.sleep(1)  # NOQA
        time.sleep(1)  # noqa: FBP202
        time.sleep(1)  # noqa: E501
        x = "# noqa"; time.sleep(1)
        time.sleep(1)  # a comment, then noqa: FBP201 is not at the start
        s = '''
        # noqa
        '''; time.sleep(1)
        """
    )
    assert noqa_lines(source) == {
        2: frozenset({"FBP201"}),
        3: frozenset({"FBP201", "FBP202"}),
        4: None,
        5: frozenset({"FBP202"}),
        6: frozenset({"E501"}),
    }
    report = Checker([LiteralSleep]).check_source(source)
    assert [f.line for f in report.findings] == [5, 6, 7, 8, 11]


def test_noqa_in_a_non_python_file(tmp_path: Path) -> None:
    write(tmp_path, {"a/alembic.ini": "[alembic]  # noqa: FBP502\n", "b/alembic.ini": "[x]\n"})
    report = Checker([IniTemplate]).check_paths([tmp_path])
    assert [f.path for f in report.findings] == [display_path(tmp_path / "b" / "alembic.ini")]


# The files a run reads.


def test_walk_order_skipped_folders_and_declared_names(tmp_path: Path) -> None:
    names = [
        "b.py",
        "a.py",
        "alembic.ini",
        "notes.txt",
        "pkg/z.py",
        "pkg/__init__.py",
        ".git/hook.py",
        ".venv/lib/site.py",
        "venv/x.py",
        "node_modules/y.py",
        "pkg/__pycache__/z.py",
        "build/lib/x.py",
        "dist/x.py",
        "thing.egg-info/x.py",
        "aa/c.py",
    ]
    write(tmp_path, dict.fromkeys(names, "x = 1\n"))
    checker = Checker(EXAMPLES)
    from fastapi_practices.checker.engine import Report

    found = [p.relative_to(tmp_path).as_posix() for p in checker.files([tmp_path], Report())]
    assert found == ["a.py", "alembic.ini", "b.py", "aa/c.py", "pkg/__init__.py", "pkg/z.py"]
    # Without a rule that reads alembic.ini, it is not read.
    found = [p.name for p in Checker([LiteralSleep]).files([tmp_path], Report())]
    assert "alembic.ini" not in found


def test_the_same_file_twice_is_checked_once(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": SLEEPY})
    report = Checker([LiteralSleep]).check_paths([tmp_path, tmp_path / "a.py"])
    assert report.files == 1
    assert len(report.findings) == 1


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/a.py": SLEEPY})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "pkg" / "self").symlink_to(tmp_path / "pkg" / "self")  # a link to itself
    (tmp_path / "pkg" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "pkg" / "alias.py").symlink_to(tmp_path / "pkg" / "a.py")
    report = Checker([LiteralSleep]).check_paths([tmp_path])
    assert report.files == 1
    assert len(report.findings) == 1
    assert any("dangling.py: cannot read it" in s for s in report.skipped)
    # A link to a folder given as a PATH is followed.
    report = Checker([LiteralSleep]).check_paths([tmp_path / "pkg" / "loop"])
    assert report.files == 1


def test_unreadable_files_and_folders_are_named_and_skipped(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    examples: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(tmp_path, {"a.py": SLEEPY, "secret.py": "x = 1\n", "locked/b.py": SLEEPY})
    (tmp_path / "secret.py").chmod(0)
    (tmp_path / "locked").chmod(0)
    if os.geteuid() == 0:
        # Root reads whatever the mode says (CI runs as root): let the two reads fail as
        # they do for anyone else, so the same handling is exercised.
        import fastapi_practices.checker.engine as engine

        def denied(path: object) -> OSError:
            return PermissionError(13, "Permission denied", str(path))

        real_scandir, real_read = os.scandir, Path.read_bytes

        def scandir(path: object) -> object:
            if Path(str(path)).name == "locked":
                raise denied(path)
            return real_scandir(path)  # type: ignore[arg-type]

        def read_bytes(self: Path) -> bytes:
            if self.name == "secret.py":
                raise denied(self)
            return real_read(self)

        monkeypatch.setattr(engine.os, "scandir", scandir)
        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    try:
        status, out, err = run_check(capsys, tmp_path, "--isolated")
    finally:
        (tmp_path / "secret.py").chmod(0o644)
        (tmp_path / "locked").chmod(0o755)
    assert status == 1
    assert "secret.py: cannot read it (Permission denied)" in err
    assert "locked: cannot read the folder (Permission denied)" in err
    assert len(out.splitlines()) == 1


# No input stops a run.


def test_files_that_cannot_be_parsed_or_decoded_are_skipped_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: None
) -> None:
    write(
        tmp_path,
        {
            "syntax.py": "def f(:\n",
            "latin.py": b"x = '\xe9'\n",  # no cookie: not UTF-8
            "unknown_codec.py": b"# -*- coding: klingon -*-\nx = 1\n",
            "nul.py": b"x = 1\x00\n",
            "empty.py": b"",
            "good.py": SLEEPY,
        },
    )
    status, _out, err = run_check(capsys, tmp_path, "--isolated")
    assert status == 1  # the findings of good.py; skipped files do not change it
    for name, why in [
        ("syntax.py", "cannot parse it (invalid syntax, line 1)"),
        ("latin.py", "cannot decode it"),
        ("unknown_codec.py", "cannot decode it"),
        ("nul.py", "cannot parse it"),
    ]:
        assert f"{display_path(tmp_path / name)}: {why}" in err, err
    assert "1 finding in 2 files" in err  # good.py and empty.py
    # Nothing could be checked at all: 2.
    status, _, err = run_check(capsys, tmp_path / "syntax.py", "--isolated")
    assert status == 2
    assert "no file could be checked" in err


def test_coding_cookies_and_bom_are_honoured() -> None:
    checker = Checker([LiteralSleep])
    from fastapi_practices.checker.engine import Report

    report = Report()
    latin = b"# -*- coding: latin-1 -*-\nimport time\nname = '\xe9'\ntime.sleep(1)\n"
    checker.check_bytes(latin, Path("latin.py"), "latin.py", report)
    checker.check_bytes(b"\xef\xbb\xbf" + SLEEPY.encode(), Path("bom.py"), "bom.py", report)
    assert report.skipped == []
    assert [(f.path, f.line) for f in report.findings] == [("latin.py", 4), ("bom.py", 4)]


def test_very_large_and_deeply_nested_sources(tmp_path: Path) -> None:
    checker = Checker([LiteralSleep, PrintCall])
    big = "import time\n" + "def f():\n    return 1\n" * 10_000 + "time.sleep(1)\n"
    report = checker.check_source(big)
    assert report.lines == 20_002
    assert [f.line for f in report.findings] == [20_002]
    nested = "x = " + "(" * 300 + "1" + ")" * 300 + "\n"  # too deep for the parser
    deep = "x = " + "-" * 100_000 + "1\n"  # too deep for the parser (3.11 to 3.13)
    deep_but_parsed = "x = " + "-" * 900 + "1\n"  # parsed: every rule walks it
    for source in (nested, deep, deep_but_parsed):
        report = checker.check_source(source)
        # Skipped with a message, or checked; a rule never fails on it.
        assert report.errors == [], report.errors
        assert len(report.skipped) + report.files == 1, report
    from fastapi_practices.checker import engine

    write(tmp_path, {"huge.py": "x = 1\n"})
    old, engine.MAX_BYTES = engine.MAX_BYTES, 3
    try:
        report = checker.check_paths([tmp_path])
    finally:
        engine.MAX_BYTES = old
    assert report.files == 0
    assert "huge.py: skipped, larger than 3 bytes" in report.skipped[0]


# The check path imports nothing of the site.


def test_check_imports_neither_pydantic_nor_yaml_nor_mkdocs(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "from pydantic import BaseSettings\n"})  # a real rule's finding
    probe = (
        "import sys\n"
        "from fastapi_practices.cli import main\n"
        f"status = main(['check', '--isolated', {str(tmp_path)!r}])\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pydantic', 'yaml', 'mkdocs', 'fastapi', 'jinja2', 'markdown'})\n"
        "site = sorted(m for m in sys.modules if m.startswith('fastapi_practices.') and "
        "m.split('.')[1] in {'catalogue', 'model', 'render', 'testing', 'scaffold'})\n"
        "print(status, loaded, site)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().splitlines()[-1] == "1 [] []", result.stdout + result.stderr
    # And the other subcommands still have what they need.
    shown = subprocess.run(
        [sys.executable, "-m", "fastapi_practices", "show", "FBP201", "--field", "slug"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert shown.stdout == "dont-block-the-event-loop\n", shown.stderr


def test_python_dash_m_runs_check(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "x = 1\n"})
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_practices", "check", "--isolated", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 findings in 1 file" in result.stderr


# What base.py gives rules for speed: one shared walk, an index by type, a text pre-filter.


def test_module_nodes_are_ast_walks_nodes_in_order() -> None:
    for path in sorted((ROOT / "snippets").rglob("*.py"))[:40]:
        text = path.read_text("utf-8")
        module = Module.parse(path, path.name, text)
        walked = list(ast.walk(module.tree))
        assert len(module.nodes) == len(walked)
        assert all(a is b for a, b in zip(module.nodes, walked, strict=True))
        calls = [node for node in walked if type(node) is ast.Call]
        assert module.of_type(ast.Call) == calls
        both = [node for node in walked if type(node) in (ast.Call, ast.Name)]
        assert module.of_type(ast.Call, ast.Name) == both
    assert Module(path=Path("alembic.ini"), display="alembic.ini", text="").nodes == []


def test_triggers_skip_files_without_the_text() -> None:
    class Triggered(LiteralSleep):
        """A call of `time.sleep`, only in files that mention `time`.

        Catches: an example.

        Known false positives: None known.
        """

        name = "example-triggered"
        triggers = ("time",)

    class Never(LiteralSleep):
        """Never runs: its trigger is in no file.

        Catches: an example.

        Known false positives: None known.
        """

        name = "example-never"
        triggers = ("no-such-text",)

    report = Checker([Triggered, Never]).check_source(SLEEPY)
    assert [f.rule for f in report.findings] == ["example-triggered"]


# What a review of the first version found.


def test_noqa_codes_after_any_spacing_are_codes_not_a_bare_noqa() -> None:
    source = "a = 1  # noqa:  FBP201\nb = 2  # noqa:FBP201,FBP808\nc = 3  # noqa\n"
    assert noqa_lines(source) == {
        1: frozenset({"FBP201"}),
        2: frozenset({"FBP201", "FBP808"}),
        3: None,
    }


@pytest.mark.parametrize("args", [("--select", ""), ("--ignore", "ALL")])
def test_a_selection_of_no_rule_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, str]
) -> None:
    (tmp_path / "app.py").write_text("from fastapi import FastAPI\napp = FastAPI(debug=True)\n")
    status, out, err = run_check(capsys, "--isolated", *args, tmp_path)
    assert status == 2 and out == ""
    assert "no rule is selected" in err


def test_informational_findings_are_shown_but_do_not_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "from fastapi import Depends, FastAPI\n\napp = FastAPI(openapi_url=None)\n\n\n"
        "def pagination(skip: int = 0, limit: int = 100) -> dict[str, int]:\n"
        '    return {"skip": skip, "limit": limit}\n\n\n@app.get("/items")\n'
        "async def items(page: dict[str, int] = Depends(pagination)) -> dict[str, int]:\n"
        "    return page\n"
    )
    status, out, _ = run_check(capsys, "--isolated", app)
    assert status == 0 and " FBP404 " in out
    app.write_text(app.read_text().replace("FastAPI(openapi_url=None)", "FastAPI(debug=True)"))
    status, out, _ = run_check(capsys, "--isolated", app)
    assert status == 1 and " FBP404 " in out and " FBP808 " in out


def test_columns_count_characters_not_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = 'x = "\u00e9\u00e9"; app = FastAPI(debug=True)'
    (tmp_path / "app.py").write_text(f"from fastapi import FastAPI\n{line}\n", encoding="utf-8")
    _, out, _ = run_check(capsys, "--isolated", tmp_path / "app.py")
    column = line.index("True") + 1
    assert f"app.py:2:{column}: FBP808 " in out, out


def test_no_rule_names_a_syntax_node_that_python_3_11_lacks() -> None:
    """The checker runs on 3.11 too, whose `ast` has no `TypeAlias` (nor the other 3.12
    nodes): naming one directly made FBP301's rule fail on every file there. Such nodes go
    through `base.TYPE_ALIAS` (a getattr) instead."""
    newer = ("TypeAlias", "TypeVar", "ParamSpec", "TypeVarTuple", "Interpolation", "TemplateStr")
    package = ROOT / "src" / "fastapi_practices" / "checker"
    used = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(rf"\bast\.({'|'.join(newer)})\b", line)
    ]
    assert used == []


def test_warnings_about_the_checked_code_are_neither_printed_nor_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"\\d"` in checked code makes Python's compiler warn; that is the code's business.
    (Under this suite's `-W error` the warning would have skipped the file.)"""
    app = tmp_path / "app.py"
    app.write_text('import re\nfrom fastapi import FastAPI\nSLUG = re.compile("\\d+")\n'
                   "app = FastAPI(debug=True)\n")  # fmt: skip
    status, out, err = run_check(capsys, "--isolated", app)
    assert status == 1 and " FBP808 " in out
    assert "SyntaxWarning" not in err and "cannot parse" not in err
