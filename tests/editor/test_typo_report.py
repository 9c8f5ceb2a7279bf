"""The typography targets, measured on the sample book's PDF with `publish typo-report`."""

from __future__ import annotations

import json
from pathlib import Path

from publish.editor.typo_report import TypoReport, typo_report

from ..testing_utils import run_cli


def test_sample_book_meets_every_target(sample_books: dict[str, Path]) -> None:
    report = typo_report(sample_books["pdf"])
    assert report.full_lines >= 30 and report.body_lines >= 80
    assert report.closing_at_line_start == 0
    assert report.flush_right_percent >= 99.0
    assert report.cjk_latin_gap_em is not None and report.cjk_latin_gap_em >= 0.2
    assert report.punctuation_pairs >= 10 and report.punctuation_pairs_compressed_percent >= 95.0
    assert report.single_character_last_lines == 0
    assert report.quotes >= 10 and report.quote_width_em >= 0.9
    assert report.code_glyphs >= 50 and report.issue_bookmarks == 6 and report.running_heads >= 2
    assert [row.name for row in report.rows() if not row.met] == [], report.findings


def test_cli_prints_the_table_and_json(sample_books: dict[str, Path]) -> None:
    table = run_cli("typo-report", str(sample_books["pdf"]))
    assert table.exit_code == 0, table.output
    assert "full body lines flush right" in table.output and "target ≥ 99 %" in table.output
    figures = json.loads(run_cli("typo-report", str(sample_books["pdf"]), "--json").output)
    assert figures["closing_at_line_start"] == 0 and figures["flush_right_percent"] >= 99.0
    assert figures["findings"] == []


_PAGE_STYLE = """
  @page { size: A5; margin: 20mm }
  html { font-family: "Noto Serif CJK SC"; font-size: 10pt; line-height: 1.8 }
  .page { break-before: page }
"""


def _pdf(path: Path, style: str, body: str) -> Path:
    """A small A5 PDF laid out by WeasyPrint with our patches, from the body's HTML and some more CSS."""
    import weasyprint

    from publish.internals.weasy import patched

    html = f'<html lang="zh-Hans"><head><style>{_PAGE_STYLE}{style}</style></head><body>{body}</body></html>'
    with patched(document_seed="test"):
        weasyprint.HTML(string=html).write_pdf(path)
    return path


def _defective_pdf(tmp_path: Path) -> Path:
    """A small PDF with one of each defect the report looks for, on known pages: a hole on page 2 (inside
    issue 1, whose text goes on overleaf), a loose line, a single-character last line, a letter-spaced
    number and box drawing two cells wide on page 3, an issue bookmark without 第 N 期 on page 4."""
    filler = "这是用来填满版面的正文，每一行都排满汉字，让两端对齐生效。" * 12
    style = """
      p { margin: 0; text-align: justify }
      h1 { bookmark-level: 1; font-size: 16pt; margin: 0 }
      pre { font-family: "Noto Sans Mono CJK SC"; font-size: 9pt; margin: 0 }
      .latin { font-family: "TeX Gyre Termes" }
    """
    body = f"""
      <h1>目录</h1><p>第 1 期</p>
      <h1 class="page">第 1 期：甲</h1><p>{filler[:60]}</p>
      <p class="page">{filler[:120]}</p>
      <p style="width: 20em">一二三四五六七八九十一二三四五六<span class="latin">{"Supercalifragilistic" * 2}</span></p>
      <p style="width: 10em">一二三四五六七八九十一二三四五六七八九十一</p>
      <p style="letter-spacing: 0.1em">第 280 期</p>
      <pre>├── data
│   └── raw</pre>
      <p>{filler[:120]}</p>
      <h1 class="page">乙</h1><p>{filler[:60]}</p>"""
    return _pdf(tmp_path / "defects.pdf", style, body)


def _pages_by_check(report: TypoReport) -> dict[str, set[int]]:
    pages: dict[str, set[int]] = {}
    for finding in report.findings:
        pages.setdefault(finding.rule.split(" (")[0], set()).add(finding.page or 0)
    return pages


def test_each_defect_is_found_on_its_page(tmp_path: Path) -> None:
    report = typo_report(_defective_pdf(tmp_path))
    pages = _pages_by_check(report)
    assert pages.get("hole") == {2}, pages
    assert 3 in pages.get("loose line", set()) and report.loose_lines_over_quarter >= 1
    assert pages.get("single-character last line") == {3}
    assert pages.get("number with a gap between its digits") == {3} and report.numbers_with_gaps == 2
    assert pages.get("code glyph off its cell") == {3} and report.code_glyphs_off_cell >= 4
    assert pages.get("issue bookmark without 第 N 期") == {4} and report.issue_bookmarks == 2
    assert not report.met
    unmet = {row.name.split(",")[0] for row in report.rows() if not row.met}
    assert "pages ending > 25% short of the foot" in unmet and "numbers with a gap between their digits" in unmet


def test_cli_exits_1_and_lists_the_pages_when_a_target_is_missed(tmp_path: Path) -> None:
    result = run_cli("typo-report", str(_defective_pdf(tmp_path)))
    assert result.exit_code == 1
    assert "✗ numbers with a gap between their digits" in result.output
    assert "p. 3: 第 280 期" in result.output and "p. 2 (" in result.output


def _line_edge_defects(tmp_path: Path) -> Path:
    """One of each line-edge defect clreq names, forced with hard breaks and page breaks: an opening quote
    ending a line and a split …… on page 1, a heading ending page 2, a paragraph's last line alone at the top
    of page 5 under a full line; and lines ended by hard breaks, which are not full lines."""
    filler = "这是用来填满版面的正文，每一行都排满汉字，让两端对齐生效" * 12
    style = """
      p { margin: 0; text-align: justify; orphans: 1; widows: 1 }
      h2 { font-size: 14pt; margin: 0 }
    """
    body = f"""
      <p>{filler[:80]}</p>
      <p>一二三四五六“<br/>七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十</p>
      <p>一二三四五六七八九…<br/>…十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十</p>
      <p>{filler[:80]}</p>
      <p class="page">{filler[:60]}</p>
      <h2 style="break-after: page">第二节</h2>
      <p>{filler[:80]}</p>
      <p class="page" style="text-align-last: justify">{filler[:64]}</p>
      <p class="page" style="text-indent: 0">尾巴</p>
      <p>{filler[:80]}</p>
      <p>短的一行<br/>又一行<br/>{filler[:80]}</p>"""
    return _pdf(tmp_path / "edges.pdf", style, body)


def test_line_and_page_edge_defects_are_found(tmp_path: Path) -> None:
    report = typo_report(_line_edge_defects(tmp_path))
    pages = _pages_by_check(report)
    assert pages.get("opening mark at a line's end") == {1} and report.opening_at_line_end == 1
    assert pages.get("…… split across lines") == {1} and report.split_pairs == 1
    assert pages.get("heading as a page's last line") == {2} and report.headings_at_page_foot == 1
    assert pages.get("paragraph's last line alone at a page's top") == {5} and report.widows == 1
    # Full lines: the justified ones only, not the eight that end where a hard break or a paragraph ended them
    # (`一二三四五六“`, `短的一行`, `又一行`, …), which counted as full lines missing the right edge.
    assert report.full_lines == 16
