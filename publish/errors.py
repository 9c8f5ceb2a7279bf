"""Problems found in the sources, and the exceptions that carry them to the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import click


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


def shown_path(path: Path, root: Path | None) -> Path:
    """The path relative to root when it lies below it (shorter messages), else as given."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve())
        except ValueError:
            pass
    return path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of one file, phrased so an editor can fix it."""

    path: Path
    line: int | None
    field: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self, root: Path | None = None) -> str:
        shown = shown_path(self.path, root)
        where = f"{shown}:{self.line}" if self.line else f"{shown}"
        label = "warning: " if self.severity is Severity.WARNING else ""
        text = f"{where}: {label}{self.field}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


class PublishError(click.ClickException):
    """A failure the user can act on; exit status 1 (content), printed without a traceback."""

    exit_code = 1


class ContentErrors(PublishError):
    """Every error of every source file, reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun} found; nothing was written.")


class InternalError(Exception):
    """A broken invariant of publish itself: a bug to report, not something the user's files did wrong.
    The CLI says so and exits with 70 (EX_SOFTWARE), not 1."""
