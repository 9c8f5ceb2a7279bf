"""What a technology weekly's year puts at the edges of lines (issue 27), checked on the PDF's glyphs with the
typography report: each pattern is set after openings of every length from 12 to 40 hanzi, so that each falls
at a line's end somewhere, as it would in a year of issues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.editor.typo_report import TypoReport, read_layout, typo_report

from ..testing_utils import run_cli, write_issue

OPENINGS = range(12, 41)
WORDS = "城市里的树记下了一年的天气每一圈年轮都写着雨水和干旱我们走过时很少抬头看一眼"
PATTERNS = {
    "an opening quote, and the last hanzi after the closing one": "今年的“年度突破开源项目”奖。",
    "a run of file extensions glued to a hanzi": "它可以翻译.txt、.pdf、.docx、.md、.mobi、.epub 文件，速度很快。",
    "an address broken anywhere, and the marks after it": "有问题请写信（someone.else@gmail.com）。",
    "a handle in brackets after a full stop": "代码已经开源。（@somebody-else 投稿）",
    "a path in inline code": "配置写在 `~/.config/starship/themes/config.toml` 里，运行 `starship --help` 就能看到。",
    "the last line before a hard line break": "很适合国内的父母。  \nhttps://github.com/someone/tool  \n下一个工具",
}


def _year(tmp_path: Path, pattern: str) -> Path:
    body = "\n\n".join(f"{WORDS[:length]}{pattern}" for length in OPENINGS)
    source = tmp_path / "issues"
    write_issue(source, "issue-001.md", body=body + "\n")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "pdf")
    assert result.exit_code == 0, result.output
    return next((tmp_path / "out").glob("*.pdf"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, TypoReport]]:
    found = {}
    for name, pattern in PATTERNS.items():
        pdf = _year(tmp_path_factory.mktemp("edges"), pattern)
        found[name] = (pdf, typo_report(pdf))
    return found


@pytest.mark.parametrize("name", list(PATTERNS))
def test_no_line_ends_with_an_opening_mark_or_a_lone_hanzi(reports: dict, name: str) -> None:
    _pdf, report = reports[name]
    assert report.opening_at_line_end == 0
    assert report.single_character_last_lines == 0
    assert report.closing_at_line_start == 0


@pytest.mark.parametrize("name", list(PATTERNS))
def test_no_line_is_stretched_to_make_room_for_an_unbreakable_run(reports: dict, name: str) -> None:
    _pdf, report = reports[name]
    assert report.loose_lines_over_quarter == 0, [f.message for f in report.findings if "loose" in f.rule]


def test_an_address_keeps_three_characters_on_each_line(reports: dict) -> None:
    pdf, _report = reports["an address broken anywhere, and the marks after it"]
    starts = [line.text.strip() for line in read_layout(pdf).lines if line.visible]
    short = [text for text in starts if re.match(r"^[A-Za-z0-9.@-]{1,2}[）。]", text)]
    assert not short


def test_an_item_title_never_ends_a_page(tmp_path: Path) -> None:
    """Items written as a numbered title line and a description (`3、为什么我们又回到了单体架构`): with items of
    every length, some title falls at a page's foot; it goes overleaf with its text (clreq §4.1.3)."""
    body = "\n\n".join(f"{n}、一个工具的名字\n\n{WORDS[: 12 + n % 29]}{WORDS}" for n in range(1, 60))
    source = tmp_path / "issues"
    write_issue(source, "issue-001.md", body=body + "\n")
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "pdf")
    assert result.exit_code == 0, result.output
    report = typo_report(next((tmp_path / "out").glob("*.pdf")))
    assert report.headings_at_page_foot == 0, [f.message for f in report.findings if "heading" in f.rule]
    assert report.holes == 0  # the page it leaves is spread to its foot
