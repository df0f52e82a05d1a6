"""The `fastapi-practices` command. Exit status: 0 clean, 1 problems found, 2 usage error.

Subcommands:

- `validate [ROOT]`: check the whole catalogue under ROOT (default: the checkout holding the
  working directory) and print every problem, each naming the file and the field.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from fastapi_practices import __version__
from fastapi_practices.catalogue import NotAProject, find_root, load_catalogue

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def validate(args: argparse.Namespace) -> int:
    """Print every catalogue problem; 1 if there is any."""
    try:
        root = find_root(args.root)
    except NotAProject as exc:
        print(f"fastapi-practices validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    catalogue = load_catalogue(root)
    for error in catalogue.errors:
        print(error)
    if catalogue.errors:
        print(f"{len(catalogue.errors)} problems in {root}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{len(catalogue.practices)} practices, no problems", file=sys.stderr)
    return EXIT_CLEAN


def parser() -> argparse.ArgumentParser:
    """The command line, with one sub-parser per subcommand."""
    top = argparse.ArgumentParser(
        prog="fastapi-practices",
        description="The FastAPI Best Practices, verified catalogue's own tools.",
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "validate",
        help="check every practice page, snippet, test and figure file",
        description="Check the catalogue and print every problem, each naming the file and "
        "the field. Exit 0 when clean, 1 with problems, 2 when ROOT is not a catalogue.",
    )
    check.add_argument(
        "root",
        nargs="?",
        type=Path,
        default=None,
        metavar="ROOT",
        help="the catalogue checkout (default: the one holding the working directory)",
    )
    check.set_defaults(run=validate)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return int(args.run(args))
