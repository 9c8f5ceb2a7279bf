"""Lint: editorial checks beyond validation, each finding with line and column, some with a safe fix."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.cjk import HAN
from publish.errors import shown_path
from publish.model import Issue

DESCRIPTION_LIMIT = 80
"""Longest description the table of contents shows comfortably (characters)."""

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_BETWEEN_HAN = re.compile(f"(?<=[{HAN}])([,;:?!])(?=[{HAN}])")
_SPACE_AFTER_FULL_PUNCT = re.compile(r"(?<=[、，。；：？！])[ \t\u3000]+(?=\S)")
_IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# Masked before the text rules look at a line: inline code, link targets, bare URLs, HTML tags.
_MASKED = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+|<[^>]+>")


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    column: int
    rule: str
    message: str
    fixable: bool = False
    """`publish check --fix` can mend it without changing the meaning (see SAFE_FIXES)."""

    def format(self, root: Path | None = None) -> str:
        shown = shown_path(self.path, root)
        return f"{shown}:{self.line}:{self.column}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "fixable": self.fixable,
        }


def _mask(line: str) -> str:
    return _MASKED.sub(lambda m: "\0" * len(m[0]), line)


def _body_lines(issue: Issue) -> Iterator[tuple[int, str]]:
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


def lint_text(issue: Issue, source_lines: Sequence[str]) -> list[Finding]:
    """Rules that read one issue's text; `source_lines` (the file's lines) place frontmatter findings."""
    findings: list[Finding] = []
    for number, line in _body_lines(issue):
        masked = _mask(line)
        for match in _HALF_PUNCT_BETWEEN_HAN.finditer(masked):
            mark = match[1]
            findings.append(
                Finding(
                    issue.path,
                    number,
                    match.start() + 1,
                    "halfwidth-punctuation",
                    f"half-width {mark!r} between Chinese characters; use {_HALF_TO_FULL[mark]!r}",
                    fixable=True,
                )
            )
        for match in _SPACE_AFTER_FULL_PUNCT.finditer(masked):
            findings.append(
                Finding(
                    issue.path,
                    number,
                    match.start() + 1,
                    "space-after-punctuation",
                    "space after a full-width mark, which already carries its own space",
                    fixable=True,
                )
            )
        findings.extend(_mixed_brackets(issue.path, number, masked))
        for match in _IMAGE_WITHOUT_ALT.finditer(line):
            findings.append(
                Finding(
                    issue.path,
                    number,
                    match.start() + 1,
                    "image-alt",
                    "image without alt text; describe it for screen readers: ![说明](…)",
                )
            )
    if len(issue.description) > DESCRIPTION_LIMIT:
        findings.append(
            Finding(
                issue.path,
                _frontmatter_line(source_lines, "description"),
                1,
                "description-length",
                f"description is {len(issue.description)} characters; the table of contents "
                f"shows {DESCRIPTION_LIMIT} comfortably",
            )
        )
    return findings


SAFE_FIXES: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = {
    "halfwidth-punctuation": (_HALF_PUNCT_BETWEEN_HAN, lambda match: _HALF_TO_FULL[match[1]]),
    "space-after-punctuation": (_SPACE_AFTER_FULL_PUNCT, lambda match: ""),
}
"""Fixes that change no meaning: a half-width mark between two ideographs, a space after a full-width mark."""


def _fix_line(line: str, rules: Collection[str]) -> str:
    """Apply the rules' safe fixes to the unmasked parts of a line only (never inside code, links or URLs)."""
    for rule, (pattern, replacement) in SAFE_FIXES.items():
        if rule not in rules:
            continue
        masked = _mask(line)
        pieces, cursor = [], 0
        for match in pattern.finditer(masked):
            pieces += [line[cursor : match.start()], replacement(match)]
            cursor = match.end()
        pieces.append(line[cursor:])
        line = "".join(pieces)
    return line


def fixed_text(issue: Issue, text: str, rules: Collection[str] = tuple(SAFE_FIXES)) -> str:
    """The file's text with the rules' safe fixes applied to body lines outside fenced code; nothing else
    changes."""
    lines = text.split("\n")
    for number, _ in _body_lines(issue):
        index = number - 1
        if index < len(lines):
            ending = "\r" if lines[index].endswith("\r") else ""
            lines[index] = _fix_line(lines[index].removesuffix("\r"), rules) + ending
    return "\n".join(lines)


def _mixed_brackets(path: Path, number: int, masked: str) -> Iterator[Finding]:
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(masked):
        if char in "（(":
            stack.append((char, index))
        elif char in "）)" and stack:
            opening, start = stack.pop()
            if (opening == "（") != (char == "）"):
                yield Finding(
                    path, number, start + 1, "mixed-brackets", f"{opening!r} is closed by {char!r}; use a matching pair"
                )


def _frontmatter_line(lines: Sequence[str], key: str) -> int:
    for index, line in enumerate(lines[:40]):
        if line.startswith(f"{key}:"):
            return index + 1
    return 1


def lint_collection(issues: Sequence[Issue], lines_of: dict[Path, Sequence[str]]) -> list[Finding]:
    """Rules across issues: numbering gaps, dates out of order, duplicate titles."""
    findings: list[Finding] = []
    ordered = sorted(issues, key=lambda i: i.number)
    for previous, issue in itertools.pairwise(ordered):
        line = _frontmatter_line(lines_of[issue.path], "issueNumber")
        if issue.number != previous.number + 1:
            missing = f"{previous.number + 1}" + (f"–{issue.number - 1}" if issue.number - previous.number > 2 else "")
            findings.append(
                Finding(
                    issue.path,
                    line,
                    1,
                    "numbering-gap",
                    f"issue {missing} is missing between {previous.path.name} and this one",
                )
            )
        if issue.date <= previous.date:
            findings.append(
                Finding(
                    issue.path,
                    _frontmatter_line(lines_of[issue.path], "date"),
                    1,
                    "date-order",
                    f"dated {issue.date}, not after issue {previous.number} ({previous.date})",
                )
            )
    seen: dict[str, Issue] = {}
    for issue in ordered:
        if issue.title in seen:
            findings.append(
                Finding(
                    issue.path,
                    _frontmatter_line(lines_of[issue.path], "title"),
                    1,
                    "duplicate-title",
                    f"same title as {seen[issue.title].path.name}",
                )
            )
        seen.setdefault(issue.title, issue)
    return findings


def next_weekly_date(issues: Sequence[Issue], today: dt.date) -> dt.date:
    return max(i.date for i in issues) + dt.timedelta(weeks=1) if issues else today


def apply_fixes(issues: Sequence[Issue], findings: Sequence[Finding]) -> str:
    """Rewrite only the files with safe fixes, atomically, keeping their BOM, line endings and permissions;
    return what changed as a unified diff."""
    import difflib

    from publish.atomic import write_atomically

    fixable = {f.path for f in findings if f.fixable}
    rules = {f.rule for f in findings if f.fixable}
    diffs = []
    for issue in issues:
        if issue.path not in fixable:
            continue
        raw = issue.path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        new = fixed_text(issue, text, rules)
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


RULES = (
    "halfwidth-punctuation",
    "space-after-punctuation",
    "mixed-brackets",
    "image-alt",
    "description-length",
    "numbering-gap",
    "date-order",
    "duplicate-title",
)
"""Every lint rule, by the name `--select` and `--ignore` take."""


def selected(findings: Sequence[Finding], select: Collection[str], ignore: Collection[str]) -> list[Finding]:
    """The findings of the selected rules (all, when none is selected) minus the ignored ones."""
    return [f for f in findings if (not select or f.rule in select) and f.rule not in ignore]
