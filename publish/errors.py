"""Diagnostics found in the sources, and the plain exceptions that carry failures to whatever runs the core.

Nothing here knows about the command line: the CLI's edge (publish/cli/errors.py) turns these exceptions
into messages and exit codes, the way Sphinx's `errors.py` stays free of its command-line handler.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """A finding of lint or of the typography report: worth a look, never a reason to refuse a build."""


def shown_path(path: Path, root: Path | None) -> Path:
    """The path relative to root when it lies below it (shorter messages), else as given."""
    if root is not None:
        try:
            return safe_resolve(path).relative_to(safe_resolve(root))
        except (ValueError, PathLoopError):
            pass
    return path


class PathLoopError(Exception):
    """A path whose symbolic links lead back to themselves: it names no file or folder at all."""


def safe_resolve(path: Path) -> Path:
    """`path.resolve()`, with a symbolic-link loop as an error of ours rather than a RuntimeError (Python
    3.11) or an OSError (ELOOP, Python 3.13) escaping as a traceback."""
    try:
        return path.resolve()
    except RuntimeError as exc:
        raise PathLoopError(f"{path}: its symbolic links form a loop") from exc
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise PathLoopError(f"{path}: its symbolic links form a loop") from exc
        raise


@dataclass(frozen=True)
class Diagnostic:
    """One thing to tell the editor about one place: a problem in a source (error or warning), a lint finding,
    or a place in a PDF that misses a typography target. Phrased so that it can be fixed."""

    path: Path
    line: int | None
    field: str
    """The setting or frontmatter field a problem is in (`book.title`, `date`); empty for a finding."""
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    column: int | None = None
    fixable: bool = False
    """`publish check --fix` can mend it without changing the meaning (lint's safe fixes)."""
    page: int | None = None
    """The page of a PDF it was seen on (the typography report's findings)."""
    rule: str = ""
    """The lint rule or the report's check that found it; empty for a problem in a source."""

    def format(self, root: Path | None = None) -> str:
        shown = shown_path(self.path, root)
        where = f"{shown}"
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        elif self.page:
            where += f": p. {self.page}"
        label = "warning: " if self.severity is Severity.WARNING else ""
        text = f"{where}: {label}{self.rule or self.field}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        """The one JSON form of every diagnostic (`check --format json`, `typo-report --json`)."""
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "page": self.page,
            "field": self.field,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity.value,
            "fixable": self.fixable,
        }


def errors_in(problems: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [p for p in problems if p.severity is Severity.ERROR]


class PublishError(Exception):
    """A failure the user can act on: the CLI prints the message without a traceback and exits with 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentErrors(PublishError):
    """Every error of every source file, reported together."""

    def __init__(self, problems: list[Diagnostic]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} found; nothing was written.")


class UsageError(PublishError):
    """Options that do not go together, or a value no option takes: the CLI exits with 2, as click does."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class InternalError(Exception):
    """A broken invariant of publish itself: a bug to report, not something the user's files did wrong.
    The CLI says so and exits with 70 (EX_SOFTWARE), not 1."""
