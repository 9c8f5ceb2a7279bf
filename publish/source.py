"""Collect: read every issue file, validate its frontmatter, and order the issues by number."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import MappingProxyType

import frontmatter
import yaml

from publish.errors import Problem, Severity
from publish.model import Issue, Selection

KNOWN_LANGS = ("zh-Hans", "zh-Hant", "zh-CN", "zh-TW", "zh-HK", "zh")
_BOM = "\ufeff"
_SKIPPED_NAMES = {"README.md"}


def issue_files(source: Path) -> list[Path]:
    """The Markdown files of a source folder; README.md and names starting with `_` or `.` are not issues."""
    return sorted(
        p
        for p in source.glob("*.md")
        if p.is_file() and p.name not in _SKIPPED_NAMES and not p.name.startswith(("_", "."))
    )


def decode_source(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 with or without BOM, any line endings; anything else is refused, never guessed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = (
            f"convert it, e.g. iconv -f GB18030 -t UTF-8 {path.name} > fixed.md"
            if _looks_like_gb(raw)
            else f"find its encoding (file -i {path.name}) and convert it with iconv -t UTF-8"
        )
        return None, [Problem(path, line, "encoding", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", hint)]
    text = text.removeprefix(_BOM)
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def _looks_like_gb(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _field_line(frontmatter_text: str, key: str) -> int | None:
    """File line of a key; the frontmatter text starts with the newline that ends the opening ---."""
    match = re.search(rf"^{re.escape(key)}\s*:", frontmatter_text, re.MULTILINE)
    return frontmatter_text.count("\n", 0, match.start()) + 1 if match else None


def read_issue(path: Path) -> tuple[Issue | None, list[Problem]]:
    """Parse one file; return the issue, or None with every problem found in it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path, None, "file", f"cannot read it ({exc.strerror})", "check its permissions")]
    text, problems = decode_source(path, raw)
    if text is None:
        return None, problems

    handler = frontmatter.YAMLHandler()
    if not text.startswith("---\n") or not handler.detect(text):
        return None, [
            Problem(
                path,
                1,
                "frontmatter",
                "the file does not start with a YAML frontmatter block",
                "begin the file with ---, then title/date/issueNumber/description, then ---",
            )
        ]
    try:
        fm_text, body = handler.split(text)
    except ValueError:
        return None, [
            Problem(
                path,
                1,
                "frontmatter",
                "the frontmatter block is not closed",
                "add a line with --- after the last field",
            )
        ]
    body_start = len(text) - len(body)
    body_first_line = text.count("\n", 0, body_start) + 1
    try:
        meta = handler.load(fm_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "malformed YAML"
        return None, [
            Problem(
                path,
                line,
                "frontmatter",
                f"broken YAML: {reason}",
                'quote values that contain a colon, e.g. title: "周刊第9期：……"',
            )
        ]
    if not isinstance(meta, dict):
        return None, [
            Problem(
                path,
                2,
                "frontmatter",
                "the frontmatter is not a list of key: value fields",
                "write one field per line, e.g. issueNumber: 9",
            )
        ]

    def problem(key: str, message: str, hint: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(path, _field_line(fm_text, key) or 2, key, message, hint, severity))

    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(
            "title",
            "missing or empty" if title in (None, "") else "must be text",
            'add a line title: "周刊第N期：……" to the frontmatter',
        )
        title = None

    number = meta.get("issueNumber")
    if number is None:
        problem("issueNumber", "missing", "add a line issueNumber: N (a positive whole number)")
    elif isinstance(number, bool) or not isinstance(number, int):
        problem("issueNumber", f"{number!r} is not a whole number", "write digits only, e.g. issueNumber: 9")
        number = None
    elif number <= 0:
        problem("issueNumber", f"{number} is not positive", "issue numbers start at 1")
        number = None

    date = _parse_date(meta.get("date"))
    if meta.get("date") is None:
        problem("date", "missing", 'add a line date: "YYYY-MM-DD"')
    elif date is None:
        problem("date", f"{meta.get('date')!r} is not a date", 'write it as an ISO date, e.g. date: "2026-02-09"')

    description = meta.get("description", "")
    if description is None or description == "":
        problem(
            "description",
            "missing",
            "add a one-sentence description: it is shown in the table of contents",
            Severity.WARNING,
        )
        description = ""
    elif not isinstance(description, str):
        problem("description", "must be text", 'quote it: description: "……"')
        description = ""

    lang = meta.get("lang", "zh-Hans")
    if not isinstance(lang, str) or lang not in KNOWN_LANGS:
        problem("lang", f"{lang!r} is not a language tag we set", f"use one of: {', '.join(KNOWN_LANGS)}")
        lang = "zh-Hans"

    if title is None or number is None or date is None:
        return None, problems
    extra = {k: v for k, v in meta.items() if k not in {"title", "issueNumber", "date", "description", "lang"}}
    issue = Issue(
        path=path,
        number=number,
        title=title.strip(),
        date=date,
        description=description.strip(),
        lang=lang,
        body=body,
        body_first_line=body_first_line,
        number_line=_field_line(fm_text, "issueNumber"),
        extra=MappingProxyType(extra),
    )
    return issue, problems


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def collect_issues(source: Path, selection: Selection) -> tuple[list[Issue], list[Problem]]:
    """Read every issue of the folder, report all problems at once, and return the selected ones in order."""
    problems: list[Problem] = []
    if not source.is_dir():
        return [], [Problem(source, None, "source", "no such folder", "pass --source DIR with your issue files")]
    files = issue_files(source)
    if not files:
        return [], [Problem(source, None, "source", "no issue files (*.md) found", "add issues or pass --source")]
    issues: list[Issue] = []
    for path in files:
        issue, found = read_issue(path)
        problems.extend(found)
        if issue is not None:
            issues.append(issue)

    by_number: dict[int, Issue] = {}
    for issue in issues:
        other = by_number.get(issue.number)
        if other is not None:
            problems.append(
                Problem(
                    issue.path,
                    issue.number_line,
                    "issueNumber",
                    f"issue {issue.number} is also used by {other.path.name}",
                    "give each issue its own number",
                )
            )
        else:
            by_number[issue.number] = issue

    selected = sorted((i for i in by_number.values() if selection.admits(i)), key=lambda i: i.number)
    if not selected and not [p for p in problems if p.severity is Severity.ERROR]:
        problems.append(
            Problem(
                source,
                None,
                "selection",
                "no issue matches --year/--range",
                "check the year or range against the issues' date and issueNumber",
            )
        )
    return selected, problems
