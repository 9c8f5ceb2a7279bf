"""Collect: read every issue file, validate its frontmatter, and order the issues by number."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import frontmatter
import yaml

from publish.cjk import CONTROL
from publish.errors import Diagnostic, Severity
from publish.limits import (
    MAX_DESCRIPTION_CHARS,
    MAX_FRONTMATTER_BYTES,
    MAX_ISSUE_BYTES,
    MAX_TITLE_CHARS,
    WEB_ADDRESS,
    too_large,
)
from publish.model import Issue, Selection
from publish.settings import key_line

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


def decode_source(path: Path, raw: bytes) -> tuple[str | None, list[Diagnostic]]:
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
        return None, [Diagnostic(path, line, "encoding", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", hint)]
    text = text.removeprefix(_BOM)
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def _looks_like_gb(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


_DECIMAL = re.compile(r"[-+]?[0-9]+")


class FrontmatterLoader(yaml.SafeLoader):
    """YAML as an editor means it: no aliases (a few lines of them expand to gigabytes, the "billion laughs"),
    no key given twice (the last would silently win), whole numbers in plain digits only (YAML 1.1 reads
    0x10 as 16, 1_0 as 10 and 1:30 as 90), and an impossible date left as text for a message, not a crash."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed here", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {str(key)[:40]!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _plain_int(loader: FrontmatterLoader, node: yaml.ScalarNode) -> int | str:
    value = loader.construct_scalar(node)
    return int(value) if _DECIMAL.fullmatch(value) else value


def _checked_timestamp(loader: FrontmatterLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


FrontmatterLoader.add_constructor("tag:yaml.org,2002:int", _plain_int)
FrontmatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)


def _shown(value: object) -> str:
    """A value for a message, never longer than a line (a value may be megabytes)."""
    text = repr(value) if isinstance(value, str | int | float | bool | dt.date) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "…"


Report = Callable[..., None]
"""Records a problem of one frontmatter field: report(key, message, hint[, severity])."""


def _read_text(path: Path) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, within the size limit, decoded; or why not."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_ISSUE_BYTES + 1)
    except OSError as exc:
        return None, [Diagnostic(path, None, "file", f"cannot read it ({exc.strerror})", "check its permissions")]
    if len(raw) > MAX_ISSUE_BYTES:
        size = path.stat().st_size
        return None, [
            Diagnostic(
                path,
                None,
                "file",
                too_large("the issue file", max(size, len(raw)), MAX_ISSUE_BYTES),
                "split it into several issues, or move long material out of the newsletter",
            )
        ]
    return decode_source(path, raw)


def _split(path: Path, text: str) -> tuple[tuple[str, str, int] | None, list[Diagnostic]]:
    """(frontmatter text, body, the body's first file line), or why the file has no frontmatter block."""

    def refused(message: str, hint: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(path, 1, "frontmatter", message, hint)]

    handler = frontmatter.YAMLHandler()
    if not text.startswith("---\n") or not handler.detect(text):
        return refused(
            "the file does not start with a YAML frontmatter block",
            "begin the file with ---, then title/date/issueNumber/description, then ---",
        )
    try:
        fm_text, body = handler.split(text)
    except ValueError:
        return refused("the frontmatter block is not closed", "add a line with --- after the last field")
    if len(fm_text.encode()) > MAX_FRONTMATTER_BYTES:
        return refused(
            too_large("the frontmatter", len(fm_text.encode()), MAX_FRONTMATTER_BYTES),
            "keep title, date, issueNumber and description there; put the rest in the body",
        )
    body_start = len(text) - len(body)
    return (fm_text, body, text.count("\n", 0, body_start) + 1), []


def _load(path: Path, fm_text: str) -> tuple[dict | None, list[Diagnostic]]:
    """The frontmatter's fields, or the YAML error with its line."""
    try:
        meta = frontmatter.YAMLHandler().load(fm_text, Loader=FrontmatterLoader)
    except RecursionError:
        return None, [
            Diagnostic(path, 1, "frontmatter", "the YAML is nested too deeply", "write one plain field per line")
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "malformed YAML"
        hint = 'quote values that contain a colon, e.g. title: "周刊第9期：……"'
        if "aliases" in reason:
            hint = "write each value out in full"
        elif "given twice" in reason:
            hint = "keep one of the two lines"
        return None, [Diagnostic(path, line, "frontmatter", f"broken YAML: {reason}", hint)]
    if not isinstance(meta, dict):
        return None, [
            Diagnostic(
                path,
                2,
                "frontmatter",
                "the frontmatter is not a list of key: value fields",
                "write one field per line, e.g. issueNumber: 9",
            )
        ]
    return meta, []


def _title(value: object, report: Report) -> str | None:
    if not isinstance(value, str) or not value.strip():
        message = "missing or empty" if value in (None, "") else "must be text"
        report("title", message, 'add a line title: "周刊第N期：……" to the frontmatter')
        return None
    return value.strip() if _text_field_ok(report, "title", value, MAX_TITLE_CHARS) else None


def _issue_number(value: object, report: Report) -> int | None:
    if value is None:
        report("issueNumber", "missing", "add a line issueNumber: N (a positive whole number)")
    elif isinstance(value, bool) or not isinstance(value, int):
        report("issueNumber", f"{_shown(value)} is not a whole number", "write digits only, e.g. issueNumber: 9")
    elif value <= 0:
        report("issueNumber", f"{_shown(value)} is not positive", "issue numbers start at 1")
    elif value > 999_999:
        report("issueNumber", f"{_shown(value)} is too large", "issue numbers have at most six digits")
    else:
        return value
    return None


def _date(value: object, report: Report) -> dt.date | None:
    date = parse_date(value)
    if value is None:
        report("date", "missing", 'add a line date: "YYYY-MM-DD"')
    elif date is None:
        shape = isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip())
        report(
            "date",
            f"{_shown(value)} is not a day of the calendar" if shape else f"{_shown(value)} is not a date",
            'write it as an ISO date, e.g. date: "2026-02-09"',
        )
    return date


def _description(value: object, report: Report) -> str:
    if value is None or value == "":
        hint = "add a one-sentence description: it is shown in the table of contents"
        report("description", "missing", hint, Severity.WARNING)
        return ""
    if not isinstance(value, str):
        report("description", "must be text", 'quote it: description: "……"')
        return ""
    return value.strip() if _text_field_ok(report, "description", value, MAX_DESCRIPTION_CHARS) else ""


def _lang(value: object, report: Report) -> str:
    if not isinstance(value, str) or value not in KNOWN_LANGS:
        report("lang", f"{_shown(value)} is not a language tag we set", f"use one of: {', '.join(KNOWN_LANGS)}")
        return "zh-Hans"
    return value


def _url(value: object, report: Report) -> str:
    """The issue's own web address (what its QR code and its link in the EPUB open), or ""."""
    if value == "":
        return ""
    if not isinstance(value, str) or not WEB_ADDRESS.fullmatch(value.strip()):
        report(
            "url",
            f"{_shown(value)} is not a web address",
            'write the issue\'s page, e.g. url: "https://example.com/weekly/9"',
        )
        return ""
    return value.strip()


FIELDS: dict[str, tuple[Callable[[object, Report], object], object]] = {
    "title": (_title, None),
    "issueNumber": (_issue_number, None),
    "date": (_date, None),
    "description": (_description, ""),
    "lang": (_lang, "zh-Hans"),
    "url": (_url, ""),
}
"""The frontmatter fields an issue has: each one's reader (the value, or None where the issue cannot be
built) and the value an absent field is read as. Other fields are kept, unread, in `Issue.extra`."""


def read_issue(path: Path) -> tuple[Issue | None, list[Diagnostic]]:
    """Parse one file; return the issue, or None with every problem found in it."""
    text, problems = _read_text(path)
    if text is None:
        return None, problems
    parts, found = _split(path, text)
    if parts is None:
        return None, found
    fm_text, body, body_first_line = parts
    meta, found = _load(path, fm_text)
    if meta is None:
        return None, found

    def report(key: str, message: str, hint: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Diagnostic(path, key_line(fm_text, key) or 2, key, message, hint, severity))

    values = {key: read(meta.get(key, absent), report) for key, (read, absent) in FIELDS.items()}
    if values["title"] is None or values["issueNumber"] is None or values["date"] is None:
        return None, problems
    issue = Issue(
        path=path,
        number=values["issueNumber"],  # type: ignore[arg-type]
        title=values["title"],  # type: ignore[arg-type]
        date=values["date"],  # type: ignore[arg-type]
        description=values["description"],  # type: ignore[arg-type]
        lang=values["lang"],  # type: ignore[arg-type]
        url=values["url"],  # type: ignore[arg-type]
        body=body,
        body_first_line=body_first_line,
        number_line=key_line(fm_text, "issueNumber"),
        extra=MappingProxyType({k: v for k, v in meta.items() if k not in FIELDS}),
    )
    return issue, problems


def _text_field_ok(problem: Callable[[str, str, str], None], key: str, value: str, limit: int) -> bool:
    """A title or description a book can print: no control characters (an XML document cannot hold
    them), and not longer than `limit` characters."""
    control = CONTROL.search(value)
    if control is not None:
        problem(key, f"holds the control character U+{ord(control[0]):04X}", "delete it (often pasted with the text)")
        return False
    if len(value) > limit:
        problem(key, f"is too long: {len(value):,} characters, the limit is {limit:,}", "shorten it")
        return False
    return True


def parse_date(value: object) -> dt.date | None:
    """A frontmatter date: a date, a date-time (its day), or ISO text; None for anything else."""
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


def collect_issues(source: Path, selection: Selection) -> tuple[list[Issue], list[Diagnostic]]:
    """Read every issue of the folder, report all problems at once, and return the selected ones in order."""
    problems: list[Diagnostic] = []
    if not source.is_dir():
        return [], [Diagnostic(source, None, "source", "no such folder", "pass --source DIR with your issue files")]
    files = issue_files(source)
    if not files:
        return [], [Diagnostic(source, None, "source", "no issue files (*.md) found", "add issues or pass --source")]
    issues: list[Issue] = []
    root = source.resolve()
    for path in files:
        if not path.resolve().is_relative_to(root):
            problems.append(
                Diagnostic(
                    path,
                    None,
                    "file",
                    f"is a link to {path.resolve()}, outside the source folder",
                    "copy the issue into the source folder instead of linking to it",
                )
            )
            continue
        issue, found = read_issue(path)
        problems.extend(found)
        if issue is not None:
            issues.append(issue)

    by_number: dict[int, Issue] = {}
    for issue in issues:
        other = by_number.get(issue.number)
        if other is not None:
            problems.append(
                Diagnostic(
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
            Diagnostic(
                source,
                None,
                "selection",
                "no issue matches --year/--range",
                "check the year or range against the issues' date and issueNumber",
            )
        )
    return selected, problems
