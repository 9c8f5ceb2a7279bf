"""Collect: frontmatter validation, encodings, ordering and selection."""

from __future__ import annotations

from pathlib import Path

from publish.errors import Severity
from publish.model import Selection
from publish.source import collect_issues, read_issue

from .testing_utils import write_issue


def _errors(problems):
    return [p for p in problems if p.severity is Severity.ERROR]


def test_valid_issue_is_read_with_body_line(tmp_path: Path) -> None:
    path = write_issue(tmp_path, "a.md", number=3, date="2026-01-05", extra="tags: [科技]\n")
    issue, problems = read_issue(path)
    assert problems == []
    assert issue is not None
    assert (issue.number, issue.date.isoformat(), issue.lang) == (3, "2026-01-05", "zh-Hans")
    assert issue.extra["tags"] == ["科技"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[issue.body_first_line - 1] == ""  # the blank line after the closing ---
    assert "正文第一段" in issue.body


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    text = '---\r\ntitle: "第1期"\r\ndate: "2026-01-05"\r\nissueNumber: 1\r\ndescription: "简介"\r\n---\r\n正文\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    issue, problems = read_issue(path)
    assert problems == [] and issue is not None
    assert issue.title == "第1期" and "\r" not in issue.body


def test_gbk_file_is_refused_with_a_conversion_hint(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes('---\ntitle: "第1期"\ndate: "2026-01-05"\nissueNumber: 1\n---\n中文正文\n'.encode("gbk"))
    issue, problems = read_issue(path)
    assert issue is None
    [problem] = problems
    assert problem.field == "encoding" and problem.line == 2
    assert "not UTF-8" in problem.message and "iconv -f GB18030 -t UTF-8" in problem.hint


def test_each_bad_field_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text('---\ntitle: ""\ndate: "2026-13-45"\nissueNumber: "九"\n---\n正文\n', encoding="utf-8")
    issue, problems = read_issue(path)
    assert issue is None
    found = {(p.field, p.line, p.severity) for p in problems}
    assert ("title", 2, Severity.ERROR) in found
    assert ("date", 3, Severity.ERROR) in found
    assert ("issueNumber", 4, Severity.ERROR) in found
    assert ("description", 2, Severity.WARNING) in found


def test_missing_frontmatter_and_broken_yaml(tmp_path: Path) -> None:
    plain = tmp_path / "plain.md"
    plain.write_text("只有正文，没有元数据。\n", encoding="utf-8")
    broken = tmp_path / "broken.md"
    broken.write_text('---\ntitle: "第1期\ndate: 2026-01-05\n---\n正文\n', encoding="utf-8")
    _, plain_problems = read_issue(plain)
    _, broken_problems = read_issue(broken)
    assert plain_problems[0].field == "frontmatter" and plain_problems[0].line == 1
    assert broken_problems[0].field == "frontmatter" and "broken YAML" in broken_problems[0].message
    assert broken_problems[0].line is not None and broken_problems[0].line >= 2


def test_unquoted_date_and_negative_number(tmp_path: Path) -> None:
    ok = write_issue(tmp_path, "ok.md", date="2026-01-05")
    bad = write_issue(tmp_path, "neg.md", number=-2)
    assert read_issue(ok)[0] is not None
    _, problems = read_issue(bad)
    assert [p.field for p in _errors(problems)] == ["issueNumber"]


def test_issues_ordered_by_number_not_file_name(tmp_path: Path) -> None:
    write_issue(tmp_path, "a.md", number=10, title='"第10期"', date='"2026-03-01"')
    write_issue(tmp_path, "b.md", number=2, title='"第2期"', date='"2025-12-01"')
    write_issue(tmp_path, "c.md", number=7, title='"第7期"', date='"2026-01-01"')
    issues, problems = collect_issues(tmp_path, Selection())
    assert problems == []
    assert [i.number for i in issues] == [2, 7, 10]
    by_year, _ = collect_issues(tmp_path, Selection(year=2026))
    assert [i.number for i in by_year] == [7, 10]
    by_range, _ = collect_issues(tmp_path, Selection(first=3, last=9))
    assert [i.number for i in by_range] == [7]


def test_duplicate_numbers_name_both_files(tmp_path: Path) -> None:
    write_issue(tmp_path, "first.md", number=4)
    write_issue(tmp_path, "second.md", number=4)
    _, problems = collect_issues(tmp_path, Selection())
    [problem] = _errors(problems)
    assert problem.field == "issueNumber" and problem.line == 4
    assert problem.path.name == "second.md" and "first.md" in problem.message


def test_all_problems_of_all_files_in_one_run(tmp_path: Path) -> None:
    write_issue(tmp_path, "one.md", number=1, title='""')
    write_issue(tmp_path, "two.md", number=2, date='"yesterday"')
    write_issue(tmp_path, "three.md", number=3)
    _, problems = collect_issues(tmp_path, Selection())
    assert sorted((p.path.name, p.field) for p in _errors(problems)) == [("one.md", "title"), ("two.md", "date")]
