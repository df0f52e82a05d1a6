"""The checker's engine: which files a run reads, how each is read and parsed (once), the
rules run over it, and what `# noqa` and `per-file-ignores` take away.

Nothing in the input stops a run. A file that cannot be read, decoded (PEP 263 coding
cookies are honoured) or parsed is skipped with a note naming it (`Report.skipped`); a
rule that raises on a file is an internal error naming the rule and the file
(`Report.errors`), and the other rules and files go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import stat
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from fastapi_practices.checker.base import Finding, Module, Rule
from fastapi_practices.checker.config import Config, matches

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "build",
        "dist",
        "_build",
        "site-packages",
    }
)
"""Folders a walk never enters (virtual environments, caches, build output)."""
MAX_BYTES = 10_000_000
"""Files larger than this are skipped with a note: no hand-written module is that big."""

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class Report:
    """What a run found, and what it could not do."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    """Files checked (read, and parsed if Python)."""
    lines: int = 0
    skipped: list[str] = field(default_factory=list)
    """`path: why` for each file or folder that could not be checked."""
    errors: list[str] = field(default_factory=list)
    """Internal errors: a rule that raised on a file."""
    missing: list[str] = field(default_factory=list)
    """Paths given that do not exist (a usage error)."""


def noqa_lines(text: str) -> dict[int, frozenset[str] | None]:
    """Line -> the codes its `# noqa: FBP201, FBP202` comment names (None for a bare
    `# noqa`, which suppresses every finding on the line). Comments only: tokenize tells a
    comment from a `# noqa` inside a string."""
    found: dict[int, frozenset[str] | None] = {}
    if "noqa" not in text.lower():
        return found
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                match = NOQA.search(token.string)
                if match:
                    codes = match.group("codes")
                    found[token.start[0]] = (
                        frozenset(re.split(r"[,\s]+", codes.upper())) if codes else None
                    )
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # the file parsed; a tokenizer quirk only costs its noqa comments
    return found


def noqa_text_lines(text: str) -> dict[int, frozenset[str] | None]:
    """The same for files that are not Python (alembic.ini, pyproject.toml): a `# noqa`
    anywhere on the line."""
    found: dict[int, frozenset[str] | None] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = NOQA.search(line)
        if match:
            codes = match.group("codes")
            found[number] = frozenset(re.split(r"[,\s]+", codes.upper())) if codes else None
    return found


def suppressed(finding: Finding, noqa: dict[int, frozenset[str] | None]) -> bool:
    if finding.line not in noqa:
        return False
    codes = noqa[finding.line]
    return codes is None or finding.code in codes


def decode_python(data: bytes) -> str:
    """Source bytes as text, by the file's coding cookie or BOM (PEP 263), else UTF-8.
    Raises SyntaxError or UnicodeDecodeError (LookupError for an unknown codec)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


class Checker:
    """Runs a set of rules, configured, over files and sources."""

    def __init__(self, rules: Iterable[type[Rule]], config: Config | None = None) -> None:
        self.config = config or Config()
        self.rules = [rule() for rule in rules]
        self.text_globs = sorted(
            {glob for rule in self.rules for glob in rule.files if glob != "*.py"}
        )

    # Which files.

    def wanted(self, name: str) -> bool:
        return name.endswith(".py") or any(fnmatch(name, glob) for glob in self.text_globs)

    def _relative(self, path: Path) -> str:
        """`path` relative to the configuration's folder (posix), for the globs."""
        try:
            return path.resolve().relative_to(self.config.root.resolve()).as_posix()
        except (ValueError, OSError):
            return path.as_posix()

    def excluded(self, path: Path) -> bool:
        if not self.config.exclude:
            return False
        relative = self._relative(path)
        return any(
            fnmatch(relative, glob) or fnmatch(path.name, glob) or relative.startswith(glob + "/")
            for glob in self.config.exclude
        )

    def files(self, paths: Iterable[Path], report: Report) -> Iterator[Path]:
        """Every file to check under `paths`, each once, in a stable order: a folder's
        entries sorted by name, its files before its sub-folders. Symbolic links to
        folders are not followed inside a walk (no loop can form); one given as a PATH is."""
        seen: set[tuple[int, int]] = set()
        for path in paths:
            if not os.path.lexists(path):
                report.missing.append(f"{path}: no such file or folder")
                continue
            if self.excluded(path):
                continue
            try:
                info = path.stat()
            except OSError as exc:
                report.skipped.append(f"{path}: cannot read it ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self._walk(path, report, seen)
            elif (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                yield path

    def _walk(self, folder: Path, report: Report, seen: set[tuple[int, int]]) -> Iterator[Path]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            report.skipped.append(f"{folder}: cannot read the folder ({exc.strerror or exc})")
            return
        folders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS and not entry.name.endswith(".egg-info"):
                        folders.append(path)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    continue  # a link to a folder: not followed
                if not self.wanted(entry.name) or self.excluded(path):
                    continue
                info = entry.stat()  # follows a link to a file
            except OSError as exc:
                if self.wanted(entry.name):
                    report.skipped.append(f"{path}: cannot read it ({exc.strerror or exc})")
                continue
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                yield path
        for path in folders:
            if not self.excluded(path):
                yield from self._walk(path, report, seen)

    # Checking.

    def check_paths(self, paths: Iterable[Path]) -> Report:
        """Check every file under `paths`; findings sorted by path, line, column, code."""
        report = Report()
        for path in self.files(paths, report):
            self.check_file(path, display_path(path), report)
        report.findings.sort()
        return report

    def check_file(self, path: Path, display: str, report: Report) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                report.skipped.append(f"{display}: skipped, larger than {MAX_BYTES} bytes")
                return
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append(f"{display}: cannot read it ({exc.strerror or exc})")
            return
        self.check_bytes(data, path, display, report)

    def check_bytes(self, data: bytes, path: Path, display: str, report: Report) -> None:
        python = path.name.endswith((".py", ".pyi")) or not any(
            fnmatch(path.name, glob) for glob in self.text_globs
        )
        try:
            text = decode_python(data) if python else data.decode("utf-8-sig")
        except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
            report.skipped.append(f"{display}: cannot decode it ({_reason(exc)})")
            return
        self.check_text(text, path, display, report, python=python)

    def check_text(
        self, text: str, path: Path, display: str, report: Report, *, python: bool = True
    ) -> None:
        """Run the rules that read this file's name over `text`."""
        if python:
            try:
                module = Module.parse(path, display, text)
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                report.skipped.append(f"{display}: cannot parse it ({_reason(exc)})")
                return
        else:
            module = Module(path=path, display=display, text=text)
        report.files += 1
        report.lines += text.count("\n") + (not text.endswith("\n") and bool(text))
        ignored = self.ignored_here(path)
        noqa: dict[int, frozenset[str] | None] | None = None
        for rule in self.rules:
            if ignored and any(matches(type(rule), selector) for selector in ignored):
                continue
            if rule.triggers and not any(trigger in text for trigger in rule.triggers):
                continue
            if python:
                if "*.py" not in rule.files and not any(fnmatch(path.name, g) for g in rule.files):
                    continue
            elif not any(fnmatch(path.name, glob) for glob in rule.files if glob != "*.py"):
                continue
            try:
                found = list(rule.check(module))
            except Exception as exc:
                report.errors.append(
                    f"internal error in rule {rule.code} {rule.name} on file {display}: "
                    f"{type(exc).__name__}: {exc}"
                )
                continue
            for finding in found:
                if noqa is None:
                    noqa = noqa_lines(text) if python else noqa_text_lines(text)
                if suppressed(finding, noqa):
                    continue
                report.findings.append(
                    dataclasses.replace(
                        finding,
                        rule=finding.rule or rule.name,
                        url=self.config.url(finding.code),
                    )
                )

    def ignored_here(self, path: Path) -> list[str]:
        """The selectors `per-file-ignores` applies to this file."""
        if not self.config.per_file_ignores:
            return []
        relative = self._relative(path)
        return [
            selector
            for glob, selectors in self.config.per_file_ignores.items()
            if fnmatch(relative, glob) or fnmatch(path.name, glob)
            for selector in selectors
        ]

    def check_source(self, text: str, name: str = "module.py") -> Report:
        """Check one source text as if it were the file `name` (for tests and tools)."""
        report = Report()
        path = Path(name)
        self.check_text(
            text,
            path,
            name,
            report,
            python=name.endswith(".py") or not any(fnmatch(path.name, g) for g in self.text_globs),
        )
        report.findings.sort()
        return report


def display_path(path: Path) -> str:
    """How a finding names its file: as given, or relative to the working directory when
    given as an absolute path inside it; with `/` separators."""
    if path.is_absolute():
        with contextlib.suppress(ValueError):
            path = path.relative_to(Path.cwd())
    return path.as_posix()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"{exc.msg}, line {exc.lineno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc) or type(exc).__name__
