"""`publish import` (issue 30): made-up archives in the shapes weeklies keep them, each field and its source,
the dry run's table and problems, writes in place and to another folder byte by byte, idempotence, and that
the result builds."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from publish.editor.importer import import_archive

from ..testing_utils import run_cli

BODY = "本周的内容比较短。\n\n## 工具\n\n1、一个命令行工具，启动很快。\n"


def _write(folder: Path, name: str, text: str, data: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    return path


def _fields(folder: Path) -> dict[str, dict[str, tuple[object, str] | None]]:
    found = {}
    for issue in import_archive(folder):
        found[issue.path.name] = {
            name: (value.value, value.source) if value is not None else None
            for name, value in (
                ("number", issue.number),
                ("title", issue.title),
                ("date", issue.date),
                ("description", issue.description),
            )
        }
    return found


def test_each_shape_gives_its_fields_and_says_where_from(tmp_path: Path) -> None:
    import datetime as dt

    archive = tmp_path / "archive"
    _write(
        archive,
        "issue-300.md",
        f"# 科技爱好者周刊（第 300 期）：三十年，解决人生三大问题\n\n2024 年 5 月 17 日\n\n{BODY}",
    )
    _write(archive, "2024-05-24-weekly.md", f"# 第 301 期 | 城市里的树\n\n这一期写城市里的行道树。\n\n{BODY}")
    _write(
        archive,
        "post.md",
        "---\ntitle: 第302期：旧书店\ndate: 2024-05-31T08:00:00+08:00\nweight: 302\ntags: [书店]\n"
        "summary: 三家开了三十年的旧书店。\n---\n\n" + BODY,
    )
    _write(archive, "303.md", f"# Issue #303: 给编辑的命令行\n\n{BODY}")
    fields = _fields(archive)
    assert fields["issue-300.md"] == {
        "number": (300, "H1"),
        "title": ("三十年，解决人生三大问题", "H1"),
        "date": (dt.date(2024, 5, 17), "first lines"),
        "description": None,  # the first paragraph after the dateline is not a summary
    }
    assert fields["2024-05-24-weekly.md"] == {
        "number": (301, "H1"),
        "title": ("城市里的树", "H1"),
        "date": (dt.date(2024, 5, 24), "file name"),
        "description": ("这一期写城市里的行道树。", "first paragraph"),
    }
    assert fields["post.md"] == {
        "number": (302, "frontmatter weight"),
        "title": ("第302期：旧书店", "frontmatter title"),
        "date": (dt.date(2024, 5, 31), "frontmatter date"),  # the day in its own zone
        "description": ("三家开了三十年的旧书店。", "frontmatter summary"),
    }
    assert fields["303.md"]["number"] == (303, "H1")
    assert fields["303.md"]["date"] == (dt.date(2024, 6, 7), "weekly cadence (a guess)")


def test_the_dry_run_shows_the_table_and_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    first = _write(archive, "issue-1.md", f"# 第1期：开始\n\n2024-01-05\n\n{BODY}")
    _write(archive, "issue-1-again.md", f"# 第1期：又一个第一期\n\n2024-01-12\n\n{BODY}")
    _write(archive, "notes.md", f"没有标题的一页。\n\n{BODY}")
    before = {path: path.read_bytes() for path in archive.iterdir()}
    result = run_cli("import", "--source", str(archive))
    assert result.exit_code == 1
    assert "issue-1.md  第 1 期 [H1]  2024-01-05 [first lines]  开始 [H1]" in result.output
    assert "第 1 期 is also claimed by issue-1-again.md" in result.output
    assert "notes.md:1: title: nothing to infer it from" in result.output
    assert "notes.md:1: issueNumber: nothing to infer it from" in result.output
    assert {path: path.read_bytes() for path in archive.iterdir()} == before
    result = run_cli("import", "--source", str(archive), "--write")
    assert result.exit_code == 1 and first.read_bytes() == before[first]  # errors: nothing written


def test_write_in_place_keeps_bom_line_ends_and_body_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    body = "\r\n".join(["# 第7期：带 BOM 和 CRLF", "", "2024-02-16", "", "正文一行。  ", "", "- 列表"]) + "\r\n"
    path = _write(archive, "第7期.md", "", data=b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = run_cli("import", "--source", str(archive), "--write")
    assert result.exit_code == 0, result.output
    written = path.read_bytes()
    expected_head = '---\r\ntitle: "带 BOM 和 CRLF"\r\ndate: "2024-02-16"\r\nissueNumber: 7\r\n---\r\n\r\n'
    assert written == b"\xef\xbb\xbf" + (expected_head + body.split("\r\n", 2)[2]).encode("utf-8")
    assert run_cli("import", "--source", str(archive), "--write").exit_code == 0
    assert path.read_bytes() == written  # idempotent
    built = run_cli("build", "--source", str(archive), "--output", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    checked = run_cli("check", "--source", str(archive))
    assert checked.exit_code == 0, checked.output


def test_to_another_folder_leaves_the_archive_untouched(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    _write(archive, "issue-5.md", f"# 第5期：图片\n\n2024-03-01\n\n![封面](images/a.png)\n\n{BODY}")
    _write(archive / "images", "a.png", "", data=b"\x89PNG\r\n\x1a\n")
    before = {path: path.read_bytes() for path in archive.rglob("*") if path.is_file()}
    target = tmp_path / "converted"
    result = run_cli("import", "--source", str(archive), "--to", str(target))
    assert result.exit_code == 0, result.output
    assert {path: path.read_bytes() for path in archive.rglob("*") if path.is_file()} == before
    assert (target / "images" / "a.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert (target / "issue-5.md").read_text(encoding="utf-8").startswith('---\ntitle: "图片"\ndate: "2024-03-01"\n')


@pytest.mark.parametrize("days", [(3, 10, 17)])
def test_dates_only_in_git_come_from_the_day_each_file_was_added(tmp_path: Path, days: tuple[int, ...]) -> None:
    import datetime as dt

    archive = tmp_path / "weekly"
    archive.mkdir()

    def git(*args: str, date: str | None = None) -> None:
        env = dict(os.environ, GIT_AUTHOR_NAME="编辑", GIT_AUTHOR_EMAIL="e@example.com")
        env |= {"GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.com"}
        if date:
            env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(["git", *args], cwd=archive, env=env, check=True, capture_output=True)

    git("init", "-q")
    for number, day in enumerate(days, start=1):
        _write(archive, f"issue-{number}.md", f"# 山海周刊（第 {number} 期）：第{number}个题目\n\n{BODY}")
        git("add", ".")
        git("commit", "-q", "-m", f"第 {number} 期", date=f"2025-03-{day:02d}T20:00:00+08:00")
    _write(archive, "issue-1.md", f"# 山海周刊（第 1 期）：第1个题目\n\n改过一次。\n\n{BODY}")
    git("commit", "-q", "-am", "修改", date="2025-04-01T09:00:00+08:00")  # a later edit does not move the day
    git("mv", "issue-3.md", "第3期.md")
    git("commit", "-q", "-m", "改名", date="2025-04-08T09:00:00+08:00")  # nor does a rename
    fields = _fields(archive)
    for number, day in enumerate(days, start=1):
        name = f"issue-{number}.md" if number < 3 else "第3期.md"
        assert fields[name]["date"] == (dt.date(2025, 3, day), "git")


def test_a_blurb_that_opens_every_issue_is_not_taken_for_a_summary(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    blurb = "这里记录每周值得分享的内容，周日发布。"
    for number in (1, 2, 3):
        _write(archive, f"issue-{number}.md", f"# 第{number}期：题目{number}\n\n{blurb}\n\n{BODY}")
    _write(archive, "issue-4.md", f"# 第4期：题目4\n\n这一期只讲一件事：旧书店。\n\n{blurb}\n\n{BODY}")
    fields = _fields(archive)
    assert [fields[f"issue-{n}.md"]["description"] for n in (1, 2, 3)] == [None, None, None]
    assert fields["issue-4.md"]["description"] == ("这一期只讲一件事：旧书店。", "first paragraph")


def test_a_file_not_in_utf8_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    old = _write(archive, "issue-1.md", "", data="# 第1期：旧档案\n\n2024-01-05\n\n正文。\n".encode("gb18030"))
    new = _write(archive, "issue-2.md", "# 第2期：新档案\n\n2024-01-12\n\n正文。\n")
    before = (old.read_bytes(), new.read_bytes())
    result = run_cli("import", "--source", str(archive), "--write")
    assert result.exit_code == 1
    assert "issue-1.md:1: encoding: the file is not UTF-8" in result.output and "iconv -f GB18030" in result.output
    assert (old.read_bytes(), new.read_bytes()) == before
