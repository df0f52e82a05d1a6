"""The `fastapi-practices` command. Exit status: 0 clean, 1 problems found, 2 usage error.

Subcommands:

- `validate [ROOT]`: check the whole catalogue under ROOT (default: the checkout holding the
  working directory) and print every problem, each naming the file and the field.
- `new [--category C] [--title T] [--summary S] [--slug S]`: write a new practice's page,
  snippets and behaviour test from the templates, with the next free ID; asks for the
  category and the title when they are not given and the terminal is interactive.
- `show ID [--field F]`: where a practice's files are, and its addresses.
- `test ID [PYTEST_ARGS...]`: check the catalogue, then run one practice's behaviour test
  and its snippets' tests, in one pytest session (`make test-practice ID=...`).
- `check PATH...`: find the practices' violations in any FastAPI code, each finding linked
  to its page (`fastapi_practices.checker.command`; exit 2 also for an internal error).

`check` runs in users' CI with nothing but the standard library: this module imports the
catalogue, the model (Pydantic) and the scaffold (YAML) only inside the other subcommands.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_practices import __version__
from fastapi_practices.checker import command as checker_command

if TYPE_CHECKING:
    from fastapi_practices.catalogue import Catalogue

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
CATALOGUE_EXTRA = ("pydantic", "yaml")
"""What the `catalogue` extra installs: every subcommand but `check` reads pages with them."""


class _Stop(Exception):
    """Ends a subcommand with this exit status (its message is already printed)."""

    def __init__(self, status: int) -> None:
        self.status = status


def _root(args: argparse.Namespace) -> Path:
    """The catalogue checkout the command works on, or a usage error."""
    from fastapi_practices.catalogue import NotAProject, find_root

    try:
        return find_root(args.root)
    except NotAProject as exc:
        print(f"fastapi-practices {args.command}: {exc}", file=sys.stderr)
        raise _Stop(EXIT_USAGE) from None


def _clean_catalogue(root: Path, summary: str) -> Catalogue:
    """The catalogue, after printing each of its problems (then stopping, if any)."""
    from fastapi_practices.catalogue import load_catalogue

    catalogue = load_catalogue(root)
    for error in catalogue.errors:
        print(error)
    if catalogue.errors:
        print(f"{len(catalogue.errors)} problems{summary}", file=sys.stderr)
        raise _Stop(EXIT_PROBLEMS)
    return catalogue


def validate(args: argparse.Namespace) -> int:
    """Print every catalogue problem; 1 if there is any."""
    root = _root(args)
    catalogue = _clean_catalogue(root, f" in {root}")
    print(f"{len(catalogue.practices)} practices, no problems", file=sys.stderr)
    return EXIT_CLEAN


def _ask_category() -> str:
    from fastapi_practices.model import Category

    print("Category of the new practice:", file=sys.stderr)
    choices = list(Category)
    for number, category in enumerate(choices, 1):
        print(f"  {number}. {category.value:<18} {category.label}", file=sys.stderr)
    answer = input("Number or name: ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1].value
    return answer


def new(args: argparse.Namespace) -> int:
    """Scaffold a practice; 2 (nothing written) when the input cannot make a valid one."""
    from fastapi_practices.scaffold import ScaffoldError, create_practice

    root = _root(args)
    interactive = sys.stdin.isatty()
    category, title = args.category, args.title
    try:
        if category is None and interactive:
            category = _ask_category()
        if title is None and interactive:
            title = input('Title, the rule as an imperative ("Don\'t ...", "Use ..."): ')
    except EOFError:
        pass
    missing = [name for name, value in (("--category", category), ("--title", title)) if not value]
    if missing:
        print(
            f"fastapi-practices new: give {' and '.join(missing)} (categories: "
            f"{', '.join(_categories())})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    assert category is not None and title is not None
    try:
        made = create_practice(root, category, title, summary=args.summary, slug=args.slug)
    except ScaffoldError as exc:
        print(f"fastapi-practices new: {exc}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    print(f"{made.id} ({made.category.label}) written:")
    for path in made.files:
        print(f"  {path.relative_to(root).as_posix()}")
    print(
        "\nNext: replace the placeholders in the page, write bad.py and good.py, then the "
        f"behaviour test;\n  make test-practice ID={made.id}   runs its tests (they fail "
        "until the test is written)\n  make serve                 shows the page"
    )
    return EXIT_CLEAN


SHOW_FIELDS = ("id", "title", "slug", "category", "page", "snippets", "test", "figures", "url")


def show(args: argparse.Namespace) -> int:
    """Print a practice's files and address (or one of them, with --field)."""
    from fastapi_practices.catalogue import load_catalogue

    root = _root(args)
    catalogue = load_catalogue(root)
    practice = catalogue.by_id().get(args.id.upper())
    if practice is None:
        print(
            f"fastapi-practices show: no practice {args.id} (run `fastapi-practices validate` "
            "if its page does not parse)",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    values = {
        "id": practice.id,
        "title": practice.meta.title,
        "slug": practice.slug,
        "category": practice.meta.category,
        "page": practice.page.relative_to(root).as_posix(),
        "snippets": practice.snippet_dir.relative_to(root).as_posix() + "/",
        "test": practice.test_file.relative_to(root).as_posix(),
        "figures": practice.measurements_file.relative_to(root).as_posix(),
        "url": f"/{practice.url}",
    }
    if args.field:
        print(values[args.field])
    else:
        for key, value in values.items():
            print(f"{key + ':':<10} {value}")
    return EXIT_CLEAN


def test(args: argparse.Namespace) -> int:
    """Validate, then run one practice's tests; pytest's exit status."""
    root = _root(args)
    catalogue = _clean_catalogue(root, "; fix them first")
    practice = catalogue.by_id().get(args.id.upper())
    if practice is None:
        print(f"fastapi-practices test: no practice {args.id}", file=sys.stderr)
        return EXIT_PROBLEMS
    # The behaviour test's module and the snippet tests' IDs (`async/<slug>/bad.py`) carry
    # the slug, with underscores and with dashes.
    command = [
        sys.executable,
        "-m",
        "pytest",
        practice.test_file.relative_to(root).as_posix(),
        "tests/test_snippets.py",
        "-k",
        f"{practice.slug} or {practice.slug.replace('-', '_')}",
        *args.pytest_args,
    ]
    print(f"+ {shlex.join(command)}", file=sys.stderr, flush=True)
    return subprocess.call(command, cwd=root)  # noqa: S603 (our own fixed command)


def _categories() -> list[str]:
    from fastapi_practices.model import Category

    return [c.value for c in Category]


def parser(*, lean: bool = False) -> argparse.ArgumentParser:
    """The command line, with one sub-parser per subcommand. `lean` (for `check`) leaves out
    what needs the model (`new --category`'s choices), so nothing of Pydantic is imported."""
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

    scaffold = commands.add_parser(
        "new",
        help="write a new practice (page, bad.py, good.py, behaviour test) from templates",
        description="Write a new practice from the templates, with the next free ID of its "
        "category, and add its addresses to tests/published_urls.txt. Asks for what is not "
        "given when the terminal is interactive. Exit 0 when written, 2 when nothing was.",
    )
    scaffold.add_argument("--category", choices=None if lean else _categories(), default=None)
    scaffold.add_argument("--title", default=None, help="the rule as an imperative, 10-90 chars")
    scaffold.add_argument("--summary", default=None, help="the rule in one line (20-200 chars)")
    scaffold.add_argument("--slug", default=None, help="the page's name (default: from the title)")
    scaffold.add_argument("--root", type=Path, default=None, help="the catalogue checkout")
    scaffold.set_defaults(run=new)

    where = commands.add_parser(
        "show",
        help="where a practice's files are, and its address",
        description="Print a practice's page, snippet folder, test and figures file.",
    )
    where.add_argument("id", metavar="ID", help="the practice's ID, FBP201")
    where.add_argument("--field", choices=SHOW_FIELDS, default=None, help="print only this")
    where.add_argument("--root", type=Path, default=None, help="the catalogue checkout")
    where.set_defaults(run=show)

    one = commands.add_parser(
        "test",
        help="run one practice's behaviour test and snippet tests",
        description="Check the catalogue, then run the practice's behaviour test and the "
        "tests of its snippets in one pytest session. Needs the test dependencies.",
    )
    one.add_argument("id", metavar="ID", help="the practice's ID, FBP201")
    one.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    one.add_argument("--root", type=Path, default=None, help="the catalogue checkout")
    one.set_defaults(run=test)

    lint = commands.add_parser(
        "check",
        help="find the practices' violations in FastAPI code, each linked to its page",
        description=checker_command.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    checker_command.add_arguments(lint)
    lint.set_defaults(run=checker_command.run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(arguments)
    except ModuleNotFoundError as exc:
        if exc.name not in CATALOGUE_EXTRA:
            raise
        command = arguments[0] if arguments else ""
        print(
            f"fastapi-practices {command}: needs {exc.name}, which only the catalogue side "
            "uses; install it with: pip install 'fastapi-practices[catalogue]'",
            file=sys.stderr,
        )
        return EXIT_USAGE


def _main(arguments: list[str]) -> int:
    try:
        args = parser(lean=arguments[:1] == ["check"]).parse_args(arguments)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except _Stop as stop:
        return stop.status
