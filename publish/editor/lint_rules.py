"""The built-in lint rules, one function each, in the shape of the typography rules: a rule has a name, reads
one issue (or every issue, for the rules across them), and yields diagnostics; some carry a safe fix.
`setup(registry)` adds them to a build's registry, where a plugin adds its own the same way."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from publish.cjk import HAN
from publish.editor.lint import IssueText, LintRule, SafeFix, body_lines, finding, frontmatter_line, masked
from publish.model import Issue

DESCRIPTION_LIMIT = 80
"""Longest description the table of contents shows comfortably (characters)."""

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_BETWEEN_HAN = re.compile(f"(?<=[{HAN}])([,;:?!])(?=[{HAN}])")
_SPACE_AFTER_FULL_PUNCT = re.compile(r"(?<=[、，。；：？！])[ \t\u3000]+(?=\S)")
_IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")


def halfwidth_punctuation(text: IssueText) -> Iterator:
    """A half-width , ; : ? ! between two ideographs: the full-width mark was meant."""
    for number, line in body_lines(text.issue):
        for match in _HALF_PUNCT_BETWEEN_HAN.finditer(masked(line)):
            mark = match[1]
            yield finding(
                text.issue.path,
                number,
                match.start() + 1,
                "halfwidth-punctuation",
                f"half-width {mark!r} between Chinese characters; use {_HALF_TO_FULL[mark]!r}",
                fixable=True,
            )


def space_after_punctuation(text: IssueText) -> Iterator:
    """A space after a full-width mark, which already carries its own."""
    for number, line in body_lines(text.issue):
        for match in _SPACE_AFTER_FULL_PUNCT.finditer(masked(line)):
            yield finding(
                text.issue.path,
                number,
                match.start() + 1,
                "space-after-punctuation",
                "space after a full-width mark, which already carries its own space",
                fixable=True,
            )


def mixed_brackets(text: IssueText) -> Iterator:
    """A full-width bracket closed by a half-width one, or the other way round."""
    for number, line in body_lines(text.issue):
        stack: list[tuple[str, int]] = []
        for index, char in enumerate(masked(line)):
            if char in "（(":
                stack.append((char, index))
            elif char in "）)" and stack:
                opening, start = stack.pop()
                if (opening == "（") != (char == "）"):
                    yield finding(
                        text.issue.path,
                        number,
                        start + 1,
                        "mixed-brackets",
                        f"{opening!r} is closed by {char!r}; use a matching pair",
                    )


def image_alt(text: IssueText) -> Iterator:
    """A picture without alt text: a screen reader has nothing to say for it."""
    for number, line in body_lines(text.issue):
        for match in _IMAGE_WITHOUT_ALT.finditer(line):
            yield finding(
                text.issue.path,
                number,
                match.start() + 1,
                "image-alt",
                "image without alt text; describe it for screen readers: ![说明](…)",
            )


def description_length(text: IssueText) -> Iterator:
    """A description longer than the contents page shows comfortably."""
    issue = text.issue
    if len(issue.description) > DESCRIPTION_LIMIT:
        yield finding(
            issue.path,
            frontmatter_line(text.lines, "description"),
            1,
            "description-length",
            f"description is {len(issue.description)} characters; the table of contents "
            f"shows {DESCRIPTION_LIMIT} comfortably",
        )


def _consecutive(texts: list[IssueText]) -> Iterator[tuple[Issue, IssueText]]:
    """Each issue but the first, in number order, with the issue numbered before it."""
    ordered = sorted(texts, key=lambda t: t.issue.number)
    for previous, text in itertools.pairwise(ordered):
        yield previous.issue, text


def numbering_gap(texts: list[IssueText]) -> Iterator:
    """Issue numbers that skip one or more."""
    for before, text in _consecutive(texts):
        number = text.issue.number
        if number != before.number + 1:
            missing = f"{before.number + 1}" + (f"–{number - 1}" if number - before.number > 2 else "")
            where = frontmatter_line(text.lines, "issueNumber")
            message = f"issue {missing} is missing between {before.path.name} and this one"
            yield finding(text.issue.path, where, 1, "numbering-gap", message)


def date_order(texts: list[IssueText]) -> Iterator:
    """An issue dated on or before the issue numbered before it."""
    for before, text in _consecutive(texts):
        if text.issue.date <= before.date:
            where = frontmatter_line(text.lines, "date")
            message = f"dated {text.issue.date}, not after issue {before.number} ({before.date})"
            yield finding(text.issue.path, where, 1, "date-order", message)


def duplicate_title(texts: list[IssueText]) -> Iterator:
    """Two issues with the same title: the contents cannot tell them apart."""
    seen: dict[str, Issue] = {}
    for text in sorted(texts, key=lambda t: t.issue.number):
        issue = text.issue
        if issue.title in seen:
            yield finding(
                issue.path,
                frontmatter_line(text.lines, "title"),
                1,
                "duplicate-title",
                f"same title as {seen[issue.title].path.name}",
            )
        seen.setdefault(issue.title, issue)


BUILTIN_LINT_RULES = (
    LintRule(
        "halfwidth-punctuation",
        halfwidth_punctuation,
        fix=SafeFix(_HALF_PUNCT_BETWEEN_HAN, lambda match: _HALF_TO_FULL[match[1]]),
    ),
    LintRule("space-after-punctuation", space_after_punctuation, fix=SafeFix(_SPACE_AFTER_FULL_PUNCT, lambda m: "")),
    LintRule("mixed-brackets", mixed_brackets),
    LintRule("image-alt", image_alt),
    LintRule("description-length", description_length),
    LintRule("numbering-gap", numbering_gap, across_issues=True),
    LintRule("date-order", date_order, across_issues=True),
    LintRule("duplicate-title", duplicate_title, across_issues=True),
)
"""In the order `publish check` lists them."""
