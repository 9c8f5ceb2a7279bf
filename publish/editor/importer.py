"""`publish import`: an existing archive's issues given our frontmatter, each field inferred and its source named.

Archives come as the weekly kept them: no frontmatter and the number and title in the first heading
(`# 科技爱好者周刊（第 300 期）：三十年`), Jekyll or Hugo posts (`2024-05-24-weekly.md`, `date:` with a time and a
zone, `number:`/`weight:`, `summary:`), numbers in file names (`issue-300.md`, `第300期.md`). Each field is taken
from the most explicit place that has it — frontmatter, then the heading, then the file name, then the issue's
first lines, then the day git first saw the file, then the weekly cadence between dated neighbours (a guess,
said as one) — and the heading that became the title leaves the body. Files already in our format are left as
they are, so a second run changes nothing. Nothing is written unless asked (`--write` in place, `--to DIR`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

from publish.atomic import write_atomically
from publish.errors import Diagnostic, Severity
from publish.limits import MAX_ISSUE_BYTES, too_large
from publish.source import FrontmatterLoader, issue_files, parse_date, read_issue

_H1 = re.compile(r"^#(?!#)\s*(.+?)\s*#*\s*$")
_HEADING_NUMBER = (
    re.compile(r"^(?P<name>.*?)[（(]\s*第\s*(?P<n>\d+)\s*期\s*[）)]\s*(?:[：:|｜\-—]\s*(?P<title>.+))?$"),
    re.compile(r"^(?P<name>.*?)第\s*(?P<n>\d+)\s*期\s*(?:[：:|｜\-—·]\s*(?P<title>.+))?$"),
    re.compile(r"^(?P<name>.*?)\bIssue\s*#?\s*(?P<n>\d+)\s*(?:[：:|｜\-—]\s*(?P<title>.+))?$", re.IGNORECASE),
    re.compile(r"^(?P<name>.*?)\bVol(?:ume)?\.?\s*(?P<n>\d+)\s*(?:[：:|｜\-—]\s*(?P<title>.+))?$", re.IGNORECASE),
)
_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_NAME_NUMBER = (re.compile(r"第\s*(\d+)\s*期"), re.compile(r"(?:issue|weekly|vol|no)[-_ .]?(\d+)", re.I))
_BARE_NUMBER = re.compile(r"^(\d{1,6})$")
_WRITTEN_DATE = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
)
NUMBER_KEYS = ("issueNumber", "number", "issue", "weight")
DESCRIPTION_KEYS = ("description", "summary", "excerpt", "subtitle")
OUR_KEYS = ("title", "date", "issueNumber", "description")
FIRST_LINES = 12
"""How far into an issue a written date (`2024 年 5 月 17 日`) is looked for."""
SUMMARY_CHARS = 120
"""A first paragraph at most this long, plain prose, reads as the issue's summary."""
GUESS = "weekly cadence (a guess)"


@dataclass
class Inferred:
    """One field's value and where it came from (`H1`, `file name`, `frontmatter summary`, `git`, …)."""

    value: object
    source: str


@dataclass
class ImportedIssue:
    """One file of the archive: what was inferred, the text to write, and what is unclear."""

    path: Path
    already: bool = False
    number: Inferred | None = None
    title: Inferred | None = None
    date: Inferred | None = None
    description: Inferred | None = None
    text: str = ""
    """The file as it would be written (unchanged for a file already in our format)."""
    problems: list[Diagnostic] = field(default_factory=list)
    _parts: tuple = ()


def _read(path: Path) -> tuple[bytes, str, str] | Diagnostic:
    """The file's BOM (if any), its text with \n line ends, and the line end it used; or why it cannot be
    converted without losing something (too large; not UTF-8, as an old archive in GB18030)."""
    with path.open("rb") as file:
        raw = file.read(MAX_ISSUE_BYTES + 1)
    if len(raw) > MAX_ISSUE_BYTES:
        size = path.stat().st_size
        return Diagnostic(path, None, "file", too_large("the file", size, MAX_ISSUE_BYTES), "split it into issues")
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: len(bom) + exc.start].count(b"\n") + 1
        hint = f"convert it first, e.g. iconv -f GB18030 -t UTF-8 {path.name} > converted.md"
        return Diagnostic(path, line, "encoding", f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02x})", hint)
    newline = "\r\n" if "\r\n" in text else "\n"
    return bom, text.replace("\r\n", "\n"), newline


def _split_frontmatter(text: str) -> tuple[str | None, str]:
    """(the frontmatter block's inner text, the body), or (None, text) when the file has none."""
    if not text.startswith("---\n"):
        return None, text
    end = re.search(r"^(?:---|\.\.\.)\s*$", text[4:], re.MULTILINE)
    if end is None:
        return None, text
    return text[4 : 4 + end.start()], text[4 + end.end() :].lstrip("\n")


def _number_of(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,6}\s*", value) and int(value) > 0:
        return int(value)
    return None


def _date_of(value: object) -> dt.date | None:
    """A frontmatter date as the build reads it, or a date-time written as text with a zone (its own day, in
    that zone), or a date written in words."""
    found = parse_date(value)
    if found is not None:
        return found
    if isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            return _written_date(value)
    return None


def _written_date(text: str) -> dt.date | None:
    for pattern in _WRITTEN_DATE:
        for match in pattern.finditer(text):
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def _heading(body: str) -> tuple[int, str] | None:
    """The first non-empty line of the body when it is an H1: (its index among the body's lines, its text)."""
    for index, line in enumerate(body.split("\n")):
        if line.strip():
            match = _H1.match(line.strip())
            return (index, match[1]) if match else None
    return None


def _from_heading(heading: str) -> tuple[int | None, str]:
    """The number the heading names and the title it gives (after the number, when there is one)."""
    for pattern in _HEADING_NUMBER:
        match = pattern.match(heading)
        if match:
            title = (match["title"] or "").strip() or heading
            return int(match["n"]), title
    return None, heading


def _from_file_name(path: Path) -> tuple[int | None, dt.date | None]:
    stem = path.stem
    date = None
    found = _NAME_DATE.match(stem)
    if found:
        try:
            date = dt.date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            date = None
        stem = stem[found.end() :]
    for pattern in _NAME_NUMBER:
        match = pattern.search(stem)
        if match:
            return int(match[1]), date
    bare = _BARE_NUMBER.match(stem)
    return (int(bare[1]) if bare else None), date


def _summary(body: str) -> str | None:
    """The first paragraph after the heading, when it is short plain prose (not a list, quote, picture, link)."""
    paragraphs = [block.strip() for block in re.split(r"\n\s*\n", body) if block.strip()]
    for block in paragraphs[:2]:
        if block.startswith("#"):
            continue
        plain = not re.match(r"^([-*+>|!]|\d+[.)、]|```|<)", block) and "](" not in block and "\n" not in block
        sentence = block.endswith(("。", "！", "？", "…", "”", "」", ".", "!", "?")) and len(block) >= 8
        dated = _written_date(block) is not None and len(block) < 20  # a dateline, not a summary
        return block if plain and sentence and not dated and len(block) <= SUMMARY_CHARS else None
    return None


def _git(folder: Path, *args: str) -> str | None:
    try:
        found = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],  # names as written (第3期.md), not octal escapes
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout if found.returncode == 0 else None


def _git_first_day(path: Path) -> dt.date | None:
    """The day the file first appeared in its git history, when it lives in a work tree: the commit that added
    its path, then, while that commit renamed it from another path, the one that added that path. (`git log
    --follow` alone also follows a new file to an older one that merely looks like it: issues written from
    one template.)"""
    name = path.name
    for _ in range(20):
        added = _git(path.parent, "log", "--diff-filter=A", "--format=%H %aI", "--", name)
        if not added or not added.split():
            return None
        commit, day = added.strip().splitlines()[-1].split()
        changes = _git(path.parent, "show", "-M", "--name-status", "--format=", "--relative", commit) or ""
        renamed = [line.split("\t") for line in changes.splitlines() if line.startswith("R")]
        origin = next((parts[1] for parts in renamed if len(parts) == 3 and parts[2] == name), None)
        if origin is None:
            return dt.datetime.fromisoformat(day).date()
        name = origin
    return None


def _infer(path: Path) -> ImportedIssue:
    read = _read(path)
    if isinstance(read, Diagnostic):  # left as it is, and nothing is written while it stands
        return ImportedIssue(path, already=True, problems=[read])
    bom, text, newline = read
    issue, problems = read_issue(path)
    if issue is not None and not [p for p in problems if p.severity is Severity.ERROR]:
        return ImportedIssue(
            path,
            already=True,
            number=Inferred(issue.number, "kept"),
            title=Inferred(issue.title, "kept"),
            date=Inferred(issue.date, "kept"),
            description=Inferred(issue.description, "kept") if issue.description else None,
            text=text,
        )
    block, body = _split_frontmatter(text)
    meta: dict = {}
    if block is not None:
        try:
            loaded = frontmatter.YAMLHandler().load(block, Loader=FrontmatterLoader)
            meta = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            meta = {}
    found = ImportedIssue(path)
    for key in NUMBER_KEYS:
        number = _number_of(meta.get(key))
        if number is not None:
            found.number = Inferred(number, f"frontmatter {key}")
            break
    heading = _heading(body)
    if isinstance(meta.get("title"), str) and meta["title"].strip():
        title = meta["title"].strip()
        number_in_title, _short = _from_heading(title)
        found.title = Inferred(title, "frontmatter title")
        if found.number is None and number_in_title is not None:
            found.number = Inferred(number_in_title, "frontmatter title")
    elif heading is not None:
        number_in_heading, title = _from_heading(heading[1])
        found.title = Inferred(title, "H1")
        if found.number is None and number_in_heading is not None:
            found.number = Inferred(number_in_heading, "H1")
        lines = body.split("\n")
        body = "\n".join(lines[heading[0] + 1 :]).lstrip("\n")  # the title is not printed twice
    name_number, name_date = _from_file_name(path)
    if found.number is None and name_number is not None:
        found.number = Inferred(name_number, "file name")
    date = _date_of(meta.get("date"))
    if date is not None:
        found.date = Inferred(date, "frontmatter date")
    elif name_date is not None:
        found.date = Inferred(name_date, "file name")
    else:
        written = _written_date("\n".join(body.split("\n")[:FIRST_LINES]))
        git_day = None if written else _git_first_day(path)
        if written:
            found.date = Inferred(written, "first lines")
        elif git_day:
            found.date = Inferred(git_day, "git")
    for key in DESCRIPTION_KEYS:
        if isinstance(meta.get(key), str) and meta[key].strip():
            found.description = Inferred(" ".join(meta[key].split()), f"frontmatter {key}")
            break
    else:
        summary = _summary(body)
        if summary:
            found.description = Inferred(summary, "first paragraph")
    found._parts = (bom, newline, block, body)
    return found


def _drop_boilerplate(issues: list[ImportedIssue]) -> None:
    """A first paragraph that opens three issues or more is the weekly's standing blurb (这里记录每周值得分享的
    内容，周日发布。), not a summary of any one of them."""
    opening = Counter(
        i.description.value for i in issues if i.description and i.description.source == "first paragraph"
    )
    for issue in issues:
        if (
            issue.description
            and issue.description.source == "first paragraph"
            and opening[issue.description.value] >= 3
        ):
            issue.description = None


def _guess_dates(issues: list[ImportedIssue]) -> None:
    """An issue with no date anywhere takes one a week per issue from its nearest dated neighbour."""
    dated = [(i.number.value, i.date.value) for i in issues if i.number and i.date]
    for issue in issues:
        if issue.date is not None or issue.number is None or not dated:
            continue
        number = issue.number.value
        near_number, near_date = min(dated, key=lambda pair: abs(pair[0] - number))  # type: ignore[operator]
        guessed = near_date + dt.timedelta(weeks=number - near_number)  # type: ignore[operator]
        issue.date = Inferred(guessed, GUESS)
        issue.problems.append(
            Diagnostic(
                issue.path,
                1,
                "date",
                f"no date in the file, its name or git: {guessed.isoformat()} is a guess, a week per issue from "
                f"第 {near_number} 期",
                "check it and write the real date in the frontmatter",
                Severity.WARNING,
            )
        )


def _check(issues: list[ImportedIssue]) -> None:
    """What a person must settle: no number, no title, no date, a number claimed twice; gaps and dates out of
    order are worth a look."""
    for issue in issues:
        if issue.already:
            continue
        for name, value, hint in (
            ("issueNumber", issue.number, "write the number in the heading (第 N 期) or add issueNumber: N"),
            ("title", issue.title, "start the file with a heading '# 标题', or add title: \"…\""),
            ("date", issue.date, 'add date: "YYYY-MM-DD"'),
        ):
            if value is None:
                issue.problems.append(Diagnostic(issue.path, 1, name, "nothing to infer it from", hint))
    counts = Counter(i.number.value for i in issues if i.number)
    for issue in issues:
        if issue.number and counts[issue.number.value] > 1:
            others = [i.path.name for i in issues if i is not issue and i.number and i.number == issue.number]
            issue.problems.append(
                Diagnostic(
                    issue.path,
                    1,
                    "issueNumber",
                    f"第 {issue.number.value} 期 is also claimed by {', '.join(others)}",
                    "give each issue its own number",
                )
            )
    ordered = sorted((i for i in issues if i.number and i.date), key=lambda i: i.number.value)  # type: ignore
    for before, after in itertools.pairwise(ordered):
        gap = after.number.value - before.number.value  # type: ignore[union-attr,operator]
        if gap > 1:
            after.problems.append(
                Diagnostic(
                    after.path,
                    1,
                    "issueNumber",
                    f"issues {before.number.value + 1}–{after.number.value - 1} are not in the archive",  # type: ignore
                    "add them, or ignore this if they were never published",
                    Severity.WARNING,
                )
            )
        if after.date.value < before.date.value:  # type: ignore[union-attr,operator]
            after.problems.append(
                Diagnostic(
                    after.path,
                    1,
                    "date",
                    f"{after.date.value} is before 第 {before.number.value} 期's {before.date.value}",  # type: ignore
                    "check the date or the number",
                    Severity.WARNING,
                )
            )


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rendered(issue: ImportedIssue) -> str:
    """The file with our four fields first in its frontmatter, the other keys kept as written."""
    _bom, newline, block, body = issue._parts
    lines = []
    if issue.title:
        lines.append(f"title: {_yaml_text(str(issue.title.value))}")
    if issue.date:
        lines.append(f'date: "{issue.date.value.isoformat()}"')  # type: ignore[union-attr]
    if issue.number:
        lines.append(f"issueNumber: {issue.number.value}")
    if issue.description:
        lines.append(f"description: {_yaml_text(str(issue.description.value))}")
    kept: list[str] = []
    if block:
        skipping = False
        for line in block.split("\n"):
            top_key = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
            if top_key:
                skipping = top_key[1] in OUR_KEYS
            if not skipping and line.strip():
                kept.append(line)
    text = "---\n" + "\n".join([*lines, *kept]) + "\n---\n\n" + body
    return text.replace("\n", newline)


def import_archive(source: Path) -> list[ImportedIssue]:
    """Every issue file of the folder, inferred and checked (see the module); nothing is written."""
    issues = [_infer(path) for path in issue_files(source)]
    _drop_boilerplate(issues)
    _guess_dates(issues)
    _check(issues)
    for issue in issues:
        if not issue.already:
            issue.text = _rendered(issue)
    return sorted(issues, key=lambda i: (i.number.value if i.number else 10**9, i.path.name))  # type: ignore


def encoded(issue: ImportedIssue) -> bytes:
    bom = issue._parts[0] if issue._parts else b""
    return bom + issue.text.encode("utf-8")


def write_in_place(issues: list[ImportedIssue]) -> int:
    """Each converted file written over itself, atomically; files already in our format untouched."""
    written = 0
    for issue in issues:
        if not issue.already:
            mode = issue.path.stat().st_mode & 0o777
            write_atomically(issue.path, encoded(issue), mode=mode)
            written += 1
    return written


def write_copies(source: Path, target: Path, issues: list[ImportedIssue]) -> int:
    """The whole archive copied into `target` (pictures too), the converted files written there."""
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
    for issue in issues:
        copy = target / issue.path.relative_to(source)
        write_atomically(copy, encoded(issue))
    return sum(1 for issue in issues if not issue.already)


def with_problems(issues: list[ImportedIssue]) -> list[Diagnostic]:
    return [problem for issue in issues for problem in issue.problems]


__all__ = [
    "ImportedIssue",
    "Inferred",
    "import_archive",
    "with_problems",
    "write_copies",
    "write_in_place",
]
