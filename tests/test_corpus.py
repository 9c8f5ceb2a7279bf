"""The 60 real issues of ../shared/corpus/openbiox-weekly build into a valid EPUB and PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.editor.typo_report import read_lines, typo_report
from publish.writers.pdf.document import gutter_mm

from .testing_utils import CORPUS, NS, Epub, epubcheck_findings, run_cli


def test_corpus_epub_passes_epubcheck(corpus_books: dict[str, Path]) -> None:
    assert epubcheck_findings(corpus_books["epub"]) == []


def test_corpus_epub_has_every_issue_in_order(corpus_books: dict[str, Path]) -> None:
    epub = Epub(corpus_books["epub"])
    chapters = [h for h in epub.spine_hrefs() if h.startswith("issue-")]
    assert chapters == [f"issue-{n:04d}.xhtml" for n in range(75, 135)]
    nav = epub.nav()
    top = [li.findtext("x:a", namespaces=NS) for li in nav.find(".//x:nav/x:ol", NS).findall("x:li", NS)]
    assert top[0].startswith("第75期　生信爱好者周刊（第 75 期）") and top[59].startswith("第134期")
    # Bare URLs glued to Chinese text are links that end where the URL ends.
    first = epub.xhtml("issue-0075.xhtml")
    hrefs = [a.get("href") for a in first.iter("{*}a")]
    assert "https://www.nature.com/articles/s41586-022-04965-x" in hrefs
    assert not [h for h in hrefs if h and "%EF%BC" in h]  # no full-width punctuation swallowed into a URL
    # No image is fetched: every remote one became a link.
    assert not [i for i in epub.manifest().values() if i.get("href").startswith("http")]


def test_corpus_pdf_has_outline_and_embedded_fonts(corpus_books: dict[str, Path]) -> None:
    reader = PdfReader(corpus_books["pdf"])
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[0] == "目录" and len(top) == 61
    assert top[1] == "生信爱好者周刊（第 75 期）：学术需要批判氛围"
    assert len(reader.pages) > 200
    fonts = {
        str(f.get_object()["/BaseFont"])
        for p in reader.pages[:40]
        for f in p["/Resources"].get_object().get("/Font", {}).values()
    }
    assert fonts and all("+" in name for name in fonts)  # subset-embedded


def test_first_ten_real_issues_meet_the_typography_targets(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    result = run_cli("build", "--source", str(CORPUS), "--output", str(tmp_path), "--range", "75-84", "--format", "pdf")
    assert result.exit_code == 0, result.output
    report = typo_report(next(tmp_path.glob("*.pdf")))
    assert report.full_lines > 300
    assert report.closing_at_line_start == 0
    assert report.flush_right_percent >= 99.0
    assert report.cjk_latin_gap_em >= 0.2
    assert report.punctuation_pairs_compressed_percent >= 95.0
    assert report.single_character_last_lines == 0
    assert report.quote_width_em >= 0.9


def test_a_yearly_edition_of_52_real_issues_goes_to_press(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS}")
    result = run_cli(
        "build",
        "--source",
        str(CORPUS),
        "--output",
        str(tmp_path),
        "--range",
        "75-126",
        "--format",
        "pdf",
        "--print-ready",
        "--booklet",
        "--no-cache",
    )
    assert result.exit_code == 0, result.output
    interior_path = next(tmp_path.glob("*-75-126.pdf"))
    interior = PdfReader(interior_path)
    pages = len(interior.pages)
    assert 300 < pages < 1000
    mm = 72 / 25.4
    first = interior.pages[0]
    assert round(float(first.trimbox.width) / mm, 1) == 148.0
    assert round(float(first.mediabox.width) / mm, 1) == 154.0
    assert interior.trailer["/Root"]["/OutputIntents"]
    # The gutter grows with the page count: the text of a recto page starts that far from the spine.
    lines = [line for line in read_lines(interior_path) if line.visible]
    recto_left = min(line.x0 for line in lines if line.page % 2 == 1 and line.page > 10)
    assert recto_left >= gutter_mm(pages) / 25.4 * 72 - 0.5 and gutter_mm(pages) >= 0.625 * 25.4
    [cover] = PdfReader(next(tmp_path.glob("*-cover.pdf"))).pages
    spine = -(-pages // 2) * 0.1
    assert float(cover.trimbox.width) / mm == pytest.approx(2 * 148 + spine, abs=0.05)
    booklet = PdfReader(next(tmp_path.glob("*-booklet.pdf")))
    assert len(booklet.pages) == 2 * -(-pages // 4)
