"""What a technology weekly's year puts at the edges of lines (issue 27), checked on the PDF's glyphs with the
typography report: each pattern is set after openings of every length from 6 to 40 hanzi, so that each falls
at a line's end somewhere, as it would in a year of issues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.editor.typo_report import TypoReport, read_layout, typo_report

from ..testing_utils import run_cli, write_issue

OPENINGS = range(6, 41)
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
    body = "\n\n".join(
        pattern.format(opening=WORDS[:length]) if "{opening}" in pattern else f"{WORDS[:length]}{pattern}"
        for length in OPENINGS
    )
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


SHRINKABLE = {
    # `.yaml、` does not fit after 处理 at full width, does with its 、 at half an em.
    "a file extension whose mark ends the line": ("，值得一读，可以处理.yaml、.pdf、.azw3、.txt 文件。", 1),
    # The orphan rule keeps `一致。”` whole; it fits with the marks inside the line halved.
    "a quotation whose last two hanzi are kept together": ("“{opening}，默认的快捷键和大多数编辑器保持一致。”", 0),
    # The author's space before `，` leaves `，联系方式是 ` a quarter em too wide for its line: with the comma
    # halved the word stays, and the e-mail address begins the next line (a line that ends on a space). At the
    # other openings, addresses that break only by character and a line's space still leave loose lines: 8 → 6.
    "an address, a spaced comma and an e-mail address": (
        "，项目的主页是https://example.org/projects/11/index.html?from=weekly&lang=zh ，联系方式是 "
        "maintainer11@gmail.com。",
        6,
    ),
}


@pytest.fixture(scope="module")
def shrunk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, TypoReport]]:
    found = {}
    for name, (pattern, _most_loose) in SHRINKABLE.items():
        pdf = _year(tmp_path_factory.mktemp("shrink"), pattern)
        found[name] = (pdf, typo_report(pdf))
    return found


@pytest.mark.parametrize("name", list(SHRINKABLE))
def test_punctuation_shrinks_before_the_hanzi_are_stretched(shrunk: dict, name: str) -> None:
    """clreq §3.5.3–3.5.4: with the marks of a line set to half an em where that lets the next piece fit, the
    lines of these paragraphs stretched past 0.1 em between their hanzi go from 4 to 1, from 1 to 0 and, for
    the address paragraphs, from 8 to 6 (flush right 63 → 73 %: the lines that end on a space after a mark was
    halved now reach the edge). The one
    left (`城市里的树记下了，值得一读，可以处理.yaml、.pdf、.azw3、.txt` before `文件。`) would need the marks of
    another text box of its line halved: only the box being broken is compressed (internals/weasy/line_end.py).
    """
    _pdf, report = shrunk[name]
    assert report.loose_lines_over_tenth <= SHRINKABLE[name][1], [
        f.message for f in report.findings if "loose" in f.rule
    ]
    assert report.flush_right_percent >= (73.0 if "e-mail" in name else 100.0)


def test_a_halved_mark_ends_its_line_flush_with_the_text_block(shrunk: dict) -> None:
    """A 、 that ends a line is whole where the line is full without halving it, and halved (starting half an em
    before the edge) where that let `.yaml` in: either way its advance ends at the text block's edge. (The PDF's
    text gives every glyph the advance of the font's width table, a whole em for 、.)"""
    pdf, _report = shrunk["a file extension whose mark ends the line"]
    lines = [line for line in read_layout(pdf).lines if len(line.visible) > 10]
    right_edge = {  # per page side: the margins are mirrored
        side: max(line.x1 for line in lines if line.page % 2 == side and "\u4e00" <= line.visible[-1].text <= "\u9fff")
        for side in (0, 1)
    }
    advances = {}
    for line in lines:
        mark = line.visible[-1]
        if mark.text == "、":
            advances[line.text] = (right_edge[line.page % 2] - mark.x0) / mark.size
    assert all(min(abs(advance - 0.5), abs(advance - 1.0)) < 0.05 for advance in advances.values()), advances
    assert any(abs(advance - 0.5) < 0.05 for advance in advances.values()), advances
