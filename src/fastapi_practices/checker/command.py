"""`fastapi-practices check PATH...`: the command line of the checker (its arguments, and the
run). `fastapi_practices.cli` wires it in as a subcommand without importing anything of the
site: this module and the checker import only the standard library.

Exit status:

- 0: no finding (files that could not be read or parsed are named on stderr and skipped;
  they do not change the status, unless no file at all could be checked);
- 1: at least one finding of a rule that is not informational (0 with `--exit-zero`);
  informational findings (`sync-dependency-without-io`) are shown but never fail a run;
- 2: a usage error (bad option, bad configuration, a selector naming no rule, a PATH that
  does not exist, no file checked), or an internal error (a rule that raised on a file:
  named on stderr; every other rule and file is still checked and reported).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fastapi_practices.checker import formats
from fastapi_practices.checker.config import (
    ConfigError,
    check_selectors,
    find_pyproject,
    load_config,
    select_rules,
)
from fastapi_practices.checker.engine import Checker
from fastapi_practices.checker.rules import all_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

DESCRIPTION = """\
Find violations of the catalogue's practices in FastAPI code (Python's ast, nothing is run)
and link each finding to its practice's page. Configured in the checked project's
pyproject.toml under [tool.fastapi-practices]: select, ignore, per-file-ignores (glob =
[codes]), exclude (globs), site-url. A rule is named by its code (FBP201), a code prefix
(FBP2), its name, or ALL; opt-in rules run only when named by code or name. `# noqa:
FBP201, FBP202` on a finding's line suppresses those codes there; a bare `# noqa`
suppresses every finding on the line.

Exit status: 0 clean, 1 findings (informational ones, such as sync-dependency-without-io,
are shown but do not count), 2 usage or internal error (message on stderr). Files that
cannot be read, decoded or parsed are named on stderr and skipped; they give 2 only when
nothing at all could be checked."""


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files and folders to check (default: the working directory)",
    )
    parser.add_argument(
        "--format", choices=formats.FORMATS, default="text", help="output format (text)"
    )
    parser.add_argument(
        "--select",
        type=_codes,
        default=None,
        metavar="CODES",
        help="comma-separated codes, prefixes or rule names to run (replaces the config's)",
    )
    parser.add_argument(
        "--ignore",
        type=_codes,
        default=None,
        metavar="CODES",
        help="comma-separated codes, prefixes or rule names not to run (added to the config's)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PYPROJECT",
        help="the pyproject.toml to read (default: the nearest one with a "
        "[tool.fastapi-practices] table, from the first PATH upwards)",
    )
    parser.add_argument("--isolated", action="store_true", help="read no configuration file")
    parser.add_argument("--site-url", default=None, metavar="URL", help="the site findings link to")
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write findings to FILE"
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument(
        "--statistics", action="store_true", help="print how many findings each rule has"
    )
    parser.add_argument(
        "--list-rules", action="store_true", help="print every rule (code, name, summary)"
    )


def _list_rules(rules: list) -> str:
    lines = []
    for rule in rules:
        try:
            summary = rule.documentation().summary
        except ValueError:
            summary = (rule.__doc__ or "").strip().splitlines()[0] if rule.__doc__ else ""
        flags = "".join(
            (" (opt-in)" if not rule.default else "", " (informational)" * rule.informational)
        )
        lines.append(f"{rule.code}  {rule.name}{flags}: {summary}\n")
    return "".join(lines)


def run(args: argparse.Namespace) -> int:
    """The check subcommand; returns the exit status (2 for a bug of the checker itself,
    with its traceback's last line on stderr)."""
    try:
        return _run(args)
    except Exception as exc:
        print(
            f"fastapi-practices check: internal error: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths or [Path()]
    try:
        rules = all_rules()
        if args.isolated:
            config = load_config(None)
        else:
            config = load_config(args.config or find_pyproject(paths[0]))
        if args.site_url:
            config.site_url = args.site_url
        if args.select is not None:
            config.select = args.select
        if args.ignore:
            config.ignore = [*config.ignore, *args.ignore]
        where = f"{config.source}: [tool.fastapi-practices]" if config.source else "options"
        check_selectors(rules, config.select or [], f"{where} select")
        check_selectors(rules, config.ignore, f"{where} ignore")
        for glob, selectors in config.per_file_ignores.items():
            check_selectors(rules, selectors, f"{where} per-file-ignores {glob!r}")
    except ConfigError as exc:
        print(f"fastapi-practices check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    chosen = select_rules(rules, config.select, config.ignore)
    if args.list_rules:
        sys.stdout.write(_list_rules(rules))
        return EXIT_CLEAN
    if not chosen:
        # An empty --select (a CI variable that expanded to nothing) or an ignore that
        # takes everything would otherwise pass every file in silence.
        print(
            f"fastapi-practices check: no rule is selected ({where}: select "
            f"{config.select!r}, ignore {config.ignore!r})",
            file=sys.stderr,
        )
        return EXIT_ERROR

    report = Checker(chosen, config).check_paths(paths)
    for message in (*report.missing, *report.skipped):
        print(f"fastapi-practices check: {message}", file=sys.stderr)
    for message in report.errors:
        print(f"fastapi-practices check: {message}", file=sys.stderr)

    if args.statistics and args.format == "text":
        output = formats.statistics(report.findings)
    elif args.format == "json":
        output = formats.as_json(report.findings)
    elif args.format == "sarif":
        output = formats.sarif(report.findings, chosen, config)
    elif args.format == "github":
        informational = frozenset(rule.name for rule in chosen if rule.informational)
        output = formats.github(report.findings, informational)
    else:
        output = formats.text(report.findings)
    if args.output:
        try:
            args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"fastapi-practices check: cannot write {args.output}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.write(output)
    if report.findings or report.files:
        files = f"{report.files} file{'s' * (report.files != 1)}"
        print(
            f"{len(report.findings)} finding{'s' * (len(report.findings) != 1)} in {files}",
            file=sys.stderr,
        )

    if report.errors or report.missing:
        return EXIT_ERROR
    if report.files == 0 and report.skipped:
        print("fastapi-practices check: no file could be checked", file=sys.stderr)
        return EXIT_ERROR
    # Informational rules' findings are advice (SARIF level "note"): shown, never failing.
    advice = {rule.name for rule in chosen if rule.informational}
    if any(f.rule not in advice for f in report.findings) and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
