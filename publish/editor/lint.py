"""Lint: editorial checks beyond validation, each finding with line and column, some with a safe fix.

The rules themselves are in lint_rules.py, one function each; a build's registry holds the ones that run
(publish/registry.py), so a plugin adds a rule without editing this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.errors import Diagnostic, Severity
from publish.model import Issue
from publish.settings import key_line

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# Masked before the text rules look at a line: inline code, link targets, bare URLs, HTML tags.
_MASKED = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+|<[^>]+>")


@dataclass(frozen=True)
class IssueText:
    """What a lint rule reads: the issue as collected, and its file's lines (to place frontmatter findings)."""

    issue: Issue
    lines: Sequence[str]


@dataclass(frozen=True)
class SafeFix:
    """A fix that changes no meaning: what the rule matched (in a line with code, links and URLs masked),
    and what replaces the match."""

    pattern: re.Pattern[str]
    replacement: Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class LintRule:
    name: str
    check: Callable[..., Iterable[Diagnostic]]
    """Reads one IssueText, or (`across_issues`) the list of every issue's, and yields findings."""
    across_issues: bool = False
    fix: SafeFix | None = None


def finding(path: Path, line: int, column: int, rule: str, message: str, *, fixable: bool = False) -> Diagnostic:
    """A lint finding: a note at a line and column, named by its rule."""
    return Diagnostic(path, line, "", message, severity=Severity.NOTE, column=column, fixable=fixable, rule=rule)


def masked(line: str) -> str:
    """The line with inline code, link targets, bare URLs and HTML tags blanked out, same length."""
    return _MASKED.sub(lambda m: "\0" * len(m[0]), line)


def body_lines(issue: Issue) -> Iterator[tuple[int, str]]:
    """(file line, text) of each body line outside fenced code."""
    fence: str | None = None
    for offset, line in enumerate(issue.body.split("\n")):
        match = _FENCE.match(line)
        if match:
            marker = match[1][0]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is None:
            yield issue.body_first_line + offset, line


def frontmatter_line(lines: Sequence[str], key: str) -> int:
    """Where a frontmatter field is written (its first 40 lines), else the file's first line."""
    return key_line("\n".join(lines[:40]), key) or 1


def lint_issues(texts: Sequence[IssueText], rules: Iterable[LintRule]) -> list[Diagnostic]:
    """Every finding of the rules: each issue's in line order, then those across issues."""
    rules = list(rules)
    found: list[Diagnostic] = []
    for text in texts:
        own = [f for rule in rules if not rule.across_issues for f in rule.check(text)]
        found.extend(sorted(own, key=lambda f: (f.line or 0, f.column or 0)))
    for rule in rules:
        if rule.across_issues:
            found.extend(rule.check(list(texts)))
    return found


def read_texts(issues: Sequence[Issue]) -> list[IssueText]:
    return [
        IssueText(issue, issue.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n"))
        for issue in issues
    ]


def _fix_line(line: str, fixes: Mapping[str, SafeFix], rules: Collection[str]) -> str:
    """Apply the rules' safe fixes to the unmasked parts of a line only (never inside code, links or URLs)."""
    for rule, fix in fixes.items():
        if rule not in rules:
            continue
        pieces, cursor = [], 0
        for match in fix.pattern.finditer(masked(line)):
            pieces += [line[cursor : match.start()], fix.replacement(match)]
            cursor = match.end()
        pieces.append(line[cursor:])
        line = "".join(pieces)
    return line


def fixed_text(issue: Issue, text: str, fixes: Mapping[str, SafeFix], rules: Collection[str]) -> str:
    """The file's text with the rules' safe fixes applied to body lines outside fenced code; nothing else
    changes."""
    lines = text.split("\n")
    for number, _ in body_lines(issue):
        index = number - 1
        if index < len(lines):
            ending = "\r" if lines[index].endswith("\r") else ""
            lines[index] = _fix_line(lines[index].removesuffix("\r"), fixes, rules) + ending
    return "\n".join(lines)


def next_weekly_date(issues: Sequence[Issue], today: dt.date) -> dt.date:
    return max(i.date for i in issues) + dt.timedelta(weeks=1) if issues else today


def apply_fixes(issues: Sequence[Issue], findings: Sequence[Diagnostic], rules: Iterable[LintRule]) -> str:
    """Rewrite only the files with safe fixes, atomically, keeping their BOM, line endings and permissions;
    return what changed as a unified diff."""
    import difflib

    from publish.atomic import write_atomically

    fixes = {rule.name: rule.fix for rule in rules if rule.fix is not None}
    fixable = {f.path for f in findings if f.fixable}
    wanted = {f.rule for f in findings if f.fixable}
    diffs = []
    for issue in issues:
        if issue.path not in fixable:
            continue
        raw = issue.path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        new = fixed_text(issue, text, fixes, wanted)
        if new == text:
            continue
        diff = difflib.unified_diff(
            text.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=str(issue.path),
            tofile=str(issue.path),
        )
        diffs.append("".join(diff))
        data = (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8")
        write_atomically(issue.path, data, mode=issue.path.stat().st_mode & 0o777)
    return "".join(diffs)


def selected(findings: Sequence[Diagnostic], select: Collection[str], ignore: Collection[str]) -> list[Diagnostic]:
    """The findings of the selected rules (all, when none is selected) minus the ignored ones."""
    return [f for f in findings if (not select or f.rule in select) and f.rule not in ignore]
