"""SQLAlchemy metadata without a naming convention, Alembic settings without a dated
`file_template`, and migrations whose `downgrade()` does nothing.

Ruff has no rule for any of them (checked on ruff 0.17.5 with every rule selected)."""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from collections.abc import Iterator
from pathlib import PurePath

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.rules._index import nodes, tail, tails

METADATA = frozenset(
    {"sqlalchemy.MetaData", "sqlalchemy.schema.MetaData", "sqlalchemy.sql.schema.MetaData"}
)
DECLARATIVE_BASE_CALLS = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
DECLARATIVE_BASES = frozenset(
    {"sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.decl_api.DeclarativeBase"}
)


def _is_migration(module: Module) -> bool:
    return "versions" in PurePath(module.path).parts[:-1]


def _reflects(module: Module) -> bool:
    """Whether the module reads a schema from the database: `.reflect(`, `autoload_with=`."""
    for node in nodes(module, ast.Call):
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "reflect":
            return True
        if any(k.arg in ("autoload_with", "autoload") for k in node.keywords):
            return True
    return False


def _imported(module: Module, node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in module.imports


class MetadataWithoutNamingConvention(Rule):
    """SQLAlchemy metadata created without a naming convention.

    Catches: `MetaData()` without `naming_convention=`; `declarative_base()` without
    `metadata=`; and a class that subclasses `DeclarativeBase` directly without assigning
    `metadata` in its body. Constraints from `unique=True`, `ForeignKey(...)` and
    `CheckConstraint(...)` then get names only the database knows, and a migration cannot
    drop them.

    Not reported: `MetaData()` in a module that reflects (`.reflect(`, `autoload_with=`),
    whose names come from the database, and anything in a migration under `versions/`
    (a migration's own base or metadata serves data steps, not DDL).

    Known false positives: a base whose metadata gets its convention later, by assignment to
    `Base.metadata.naming_convention`.
    """

    code = "FBP601"
    name = "metadata-without-naming-convention"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or _is_migration(module):
            return
        reflects: bool | None = None
        last = tails(METADATA | DECLARATIVE_BASE_CALLS)
        for node in nodes(module, ast.Call, ast.ClassDef):
            if isinstance(node, ast.Call):
                if tail(module, node.func) not in last or not _imported(module, node.func):
                    continue
                name = module.qualified(node.func)
                if name in METADATA:
                    reflects = _reflects(module) if reflects is None else reflects
                    if reflects:
                        continue
                stars = any(k.arg is None for k in node.keywords)
                keywords = {k.arg for k in node.keywords}
                if name in METADATA and "naming_convention" not in keywords and not stars:
                    yield self.finding(
                        module,
                        node,
                        "`MetaData()` without `naming_convention=`: the server names keys and "
                        "constraints, and migrations cannot drop them; pass a convention",
                    )
                elif name in DECLARATIVE_BASE_CALLS and "metadata" not in keywords and not stars:
                    yield self.finding(
                        module,
                        node,
                        "`declarative_base()` without `metadata=`: constraints get names only "
                        "the server knows; pass `metadata=MetaData(naming_convention=...)`",
                    )
            elif isinstance(node, ast.ClassDef) and self.bare_declarative(module, node):
                yield self.finding(
                    module,
                    node,
                    f"`{node.name}(DeclarativeBase)` has no `metadata` with a naming convention; "
                    "set `metadata = MetaData(naming_convention=...)` in its body",
                )

    @staticmethod
    def bare_declarative(module: Module, cls: ast.ClassDef) -> bool:
        if not any(
            module.qualified(b) in DECLARATIVE_BASES and _imported(module, b) for b in cls.bases
        ):
            return False
        for stmt in cls.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            if isinstance(stmt, ast.AnnAssign):
                targets = [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in ("metadata", "registry") for t in targets):
                return False
        return True


DATE_TOKEN = re.compile(r"%?%\((year|epoch)\)")
REV_TOKEN = re.compile(r"%?%\(rev\)")


def _line_of(text: str, pattern: str, default: int = 1) -> int:
    regex = re.compile(pattern)
    for number, line in enumerate(text.splitlines(), start=1):
        if regex.search(line):
            return number
    return default


class UndatedMigrationTemplate(Rule):
    """Alembic settings without a `file_template` that starts migration names with a date.

    Catches: each section of `alembic.ini` that sets `script_location` (and a
    `[tool.alembic]` table in `pyproject.toml`) with no `file_template` (its own, or the
    `[alembic]` section's for other named sections), so Alembic names
    files by a random revision ID; with a `file_template` that holds no date; or with a
    dated one that drops `%%(rev)s`, so two same-day migrations with one message overwrite
    each other.

    Known false positives: None known; a project that keeps its Alembic settings elsewhere
    (passed on the command line) is not read.
    """

    code = "FBP603"
    name = "undated-migration-template"
    files = ("alembic.ini", "pyproject.toml")

    def check(self, module: Module) -> Iterator[Finding]:
        if PurePath(module.path).name == "pyproject.toml":
            yield from self.check_pyproject(module)
        else:
            yield from self.check_ini(module)

    def check_ini(self, module: Module) -> Iterator[Finding]:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(module.text)
        except configparser.Error:
            return
        shared = parser.get("alembic", "file_template", fallback=None)
        for section in parser.sections():
            if not parser.has_option(section, "script_location"):
                continue
            template = parser.get(section, "file_template", fallback=shared)
            header = _line_of(module.text, rf"^\s*\[{re.escape(section)}\]")
            line = _line_of(module.text, r"^\s*file_template\s*[=:]", header)
            yield from self.judge(module, template, header, line)

    def check_pyproject(self, module: Module) -> Iterator[Finding]:
        try:
            data = tomllib.loads(module.text)
        except (tomllib.TOMLDecodeError, ValueError):
            return
        tool = data.get("tool")
        alembic = tool.get("alembic") if isinstance(tool, dict) else None
        if not isinstance(alembic, dict):
            return
        template = alembic.get("file_template")
        header = _line_of(module.text, r"^\s*\[tool\.alembic\]")
        line = _line_of(module.text, r"^\s*file_template\s*=", header)
        yield from self.judge(module, template if isinstance(template, str) else None, header, line)

    def judge(
        self, module: Module, template: str | None, header: int, line: int
    ) -> Iterator[Finding]:
        if template is None:
            yield self.finding(
                module,
                header,
                "no `file_template`: Alembic names migrations by random revision ID; set "
                "`file_template = %%(year)d-%%(month).2d-%%(day).2d_%%(hour).2d%%(minute).2d"
                "_%%(rev)s_%%(slug)s`",
            )
        elif not DATE_TOKEN.search(template):
            yield self.finding(
                module,
                line,
                "`file_template` has no date, so `ls versions/` is not the history; start "
                "it with `%%(year)d-%%(month).2d-%%(day).2d` and keep `%%(rev)s`",
            )
        elif not REV_TOKEN.search(template):
            yield self.finding(
                module,
                line,
                "`file_template` drops `%%(rev)s`: two same-day migrations with one message "
                "get one file name and the first is overwritten; keep `%%(rev)s`",
            )


DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.I)


def _changes_schema(module: Module, function: ast.AST) -> bool:
    """Whether a migration function calls an Alembic schema operation."""
    for node in ast.walk(function):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and module.qualified(node.func.value) in ("alembic.op", "op")
        ):
            continue
        verb = node.func.attr
        if verb.startswith(("create_", "add_", "alter_", "drop_", "rename_")) or verb in (
            "batch_alter_table",
        ):
            return True
        if verb == "execute" and node.args:
            text = node.args[0]
            if isinstance(text, ast.Call) and text.args:  # op.execute(sa.text("..."))
                text = text.args[0]
            if (
                isinstance(text, ast.Constant)
                and isinstance(text.value, str)
                and DDL.match(text.value)
            ):
                return True
    return False


def _does_nothing(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Body is only a docstring, `pass` and `...`."""
    for stmt in function.body:
        if isinstance(stmt, ast.Pass):
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and (isinstance(stmt.value.value, str) or stmt.value.value is Ellipsis)
        ):
            continue
        return False
    return True


class EmptyDowngrade(Rule):
    """A migration whose `downgrade()` does nothing while its `upgrade()` does something.

    Catches: a module under a `versions/` folder defining top-level `upgrade()` and
    `downgrade()`, whose `downgrade()` holds only `pass`, `...` or a docstring while
    `upgrade()` changes the schema (an `op.create_*`, `op.add_*`, `op.alter_*`,
    `op.drop_*`, `op.rename_*` or `op.batch_alter_table` call, or `op.execute` of a
    `CREATE`, `ALTER` or `DROP` statement). Alembic then records the older revision while the newer
    objects stay, and the next `upgrade` fails on them. Mirror the upgrade, or raise if the
    step cannot be undone.

    Known false positives: None known; merge revisions and data-only migrations (rows
    updated, no schema changed) are not reported, nor schema changes made through helpers.
    """

    code = "FBP602"
    name = "empty-downgrade"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or not _is_migration(module):
            return
        functions = {
            stmt.name: stmt
            for stmt in module.tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        upgrade, downgrade = functions.get("upgrade"), functions.get("downgrade")
        if upgrade is None or downgrade is None:
            return
        if _does_nothing(downgrade) and _changes_schema(module, upgrade):
            yield self.finding(
                module,
                downgrade,
                "`downgrade()` does nothing: Alembic will record the older revision while the "
                "objects stay; undo what `upgrade()` did, or raise if it cannot be undone",
            )


SCHEMA_OPS = frozenset(
    {
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_check_constraint",
        "create_foreign_key",
        "create_primary_key",
        "drop_constraint",
    }
)


def _literal_collection(node: ast.expr) -> bool:
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(
        isinstance(e, ast.Constant) for e in node.elts
    )


class SchemaFromData(Rule):
    """A migration whose schema operations run in a loop over values found at run time.

    Catches: in a module under a `versions/` folder, an Alembic schema operation
    (`op.create_table`, `op.add_column`, `op.drop_table`, `op.create_index`, ...) inside a
    `for` or `while` loop in `upgrade()` or `downgrade()`, unless the loop runs over a
    literal tuple or list of names. The tables and columns then depend on the rows of the
    database it runs on: one revision, different schemas, and no SQL to review offline.

    Known false positives: a loop over names computed from constants of the migration
    (a `range`, a list built from literals in another statement).
    """

    code = "FBP602"
    name = "schema-from-data"

    def check(self, module: Module) -> Iterator[Finding]:
        if module.tree is None or not _is_migration(module):
            return
        for function in module.tree.body:
            if not (
                isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                and function.name in ("upgrade", "downgrade")
            ):
                continue
            inside: set[int] = set()
            for loop in ast.walk(function):
                if id(loop) in inside or (
                    isinstance(loop, ast.For) and _literal_collection(loop.iter)
                ):
                    continue
                if isinstance(loop, (ast.For, ast.AsyncFor, ast.While)) and self.has_schema_op(
                    module, loop
                ):
                    inside.update(id(n) for n in ast.walk(loop))
                    yield self.finding(
                        module,
                        loop,
                        f"`{function.name}()` changes the schema in a loop over run-time values: "
                        "the schema then depends on the data; keep structure fixed, vary rows",
                    )

    @staticmethod
    def has_schema_op(module: Module, loop: ast.AST) -> bool:
        for node in ast.walk(loop):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SCHEMA_OPS
                and module.qualified(node.func.value) in ("alembic.op", "op")
            ):
                return True
        return False
