"""Print production: boxes, PDF/X-4, page labels, footnotes at the foot, booklet order, cover and gutter."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader

from publish.writers.pdf.document import gutter_mm
from publish.writers.pdf.press.cover import spine_width_mm
from publish.writers.pdf.press.imposition import impose_booklet, saddle_stitch_order, signature_order

from ....testing_utils import ROOT, SAMPLE_ISSUES, build_sample, pdf_pages_text, printed_folio, run_cli

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)


@pytest.fixture(scope="module")
def press(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("press")
    result = build_sample(
        output,
        "--format",
        "pdf",
        "--print-ready",
        "--booklet",
    )
    assert result.exit_code == 0, result.output
    assert "issue-004.md:14: warning: image: 1200 px wide" in result.stderr and "under 300" in result.stderr
    return {p.name.removeprefix("shanhai-weekly-2026"): p for p in output.glob("*.pdf")}


def _box(box) -> list[float]:
    return [round(float(v), 2) for v in box]


def test_press_pdf_has_bleed_trim_and_an_output_intent(press: dict[str, Path]) -> None:
    reader = PdfReader(press[".pdf"])
    bleed = 3 * MM
    for page in reader.pages:
        assert _box(page.trimbox) == _box([0, 0, *A5])
        assert _box(page.mediabox) == _box([-bleed, -bleed, A5[0] + bleed, A5[1] + bleed])
        assert float(page.bleedbox.width) >= float(page.trimbox.width)
    assert press[".pdf"].read_bytes().startswith(b"%PDF-1.6")
    [intent] = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX" and "/DestOutputProfile" in intent
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4  # a CMYK profile


def test_page_labels_match_the_printed_folios(press: dict[str, Path]) -> None:
    reader = PdfReader(press[".pdf"])
    labels = reader.page_labels
    texts = pdf_pages_text(press[".pdf"])
    checked = 0
    for index, text in enumerate(texts):
        folio = printed_folio(text)
        if folio is not None:
            assert labels[index] == folio, index
            checked += 1
    assert checked >= 8
    assert labels[:3] == ["i", "ii", "iii"] and "1" in labels


def test_footnotes_stand_at_the_foot_of_their_page(press: dict[str, Path]) -> None:
    texts = pdf_pages_text(press[".pdf"])
    page = next(t for t in texts if "每小时记录一次读" in t)
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    note = next(i for i, line in enumerate(lines) if "计量插座的标称误差" in line)
    assert note > next(i for i, line in enumerate(lines) if "每小时记录一次读" in line)
    assert lines[note].startswith("1")  # numbered per issue, from 1
    assert not any("↑" in t for t in texts)  # no back-link list at the end of the issue


def test_cover_is_back_spine_front_with_bleed(press: dict[str, Path]) -> None:
    pages = len(PdfReader(press[".pdf"]).pages)
    [cover] = PdfReader(press["-cover.pdf"]).pages
    spine = spine_width_mm(pages, 0.1)
    assert spine == pytest.approx(0.1 * -(-pages // 2))
    assert float(cover.trimbox.width) == pytest.approx((2 * 148 + spine) * MM, abs=0.05)
    assert float(cover.mediabox.width) == pytest.approx((2 * 148 + spine + 2 * 3) * MM, abs=0.05)
    assert float(cover.mediabox.height) == pytest.approx((210 + 2 * 3) * MM, abs=0.05)
    assert PdfReader(press["-cover.pdf"]).trailer["/Root"]["/OutputIntents"]


def test_wide_spine_gets_a_vertical_title(tmp_path: Path) -> None:
    from publish.assemble import assemble_book
    from publish.build import prepare_chapters
    from publish.config import load_config
    from publish.model import Selection
    from publish.writers.pdf.press.cover import CoverGeometry, build_cover_pdf

    config, _ = load_config(ROOT / "book.toml", ROOT)
    chapters, _ = prepare_chapters(SAMPLE_ISSUES, Selection())
    book = assemble_book(config, chapters, Selection(), source_date_epoch=0)
    geometry = CoverGeometry(148, 210, 20.0, 3.0)
    data = build_cover_pdf(book, (ROOT / "styles" / "cover.css").read_text(), geometry)
    path = tmp_path / "cover.pdf"
    path.write_bytes(data)
    x = round(148 * MM)
    spine_text = subprocess.run(
        ["pdftotext", "-x", str(x), "-y", "0", "-W", str(round(20 * MM)), "-H", "400", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stacked = [line.strip() for line in spine_text.splitlines() if line.strip()]
    assert "".join(stacked).startswith("山海周刊合订本") and all(len(line) == 1 for line in stacked[:7])


def _numbered_pdf(count: int) -> bytes:
    html = "".join(f'<p style="break-after: page; font-size: 40pt">P{n}</p>' for n in range(1, count + 1))
    return weasyprint.HTML(string=f"<style>@page {{ size: A5 }}</style>{html}").write_pdf()


def _halves(pdf: bytes) -> list[tuple[str, str]]:
    """The page number printed on the left and right half of each sheet side, as PDFium draws them (pages
    placed as forms included)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    sides = []
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        left = text.get_text_bounded(left=0, bottom=0, right=width / 2, top=height)
        right = text.get_text_bounded(left=width / 2, bottom=0, right=width, top=height)
        sides.append((left.strip(), right.strip()))
    document.close()
    return sides


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        (4, [("P4", "P1"), ("P2", "P3")]),
        (8, [("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]),
        (10, [("", "P1"), ("P2", ""), ("P10", "P3"), ("P4", "P9"), ("P8", "P5"), ("P6", "P7")]),
    ],
)
def test_booklet_sheets_fold_into_the_book(pages: int, expected: list[tuple[str, str]]) -> None:
    booklet = impose_booklet(_numbered_pdf(pages))
    sides = _halves(booklet)
    assert sides == expected
    reader = PdfReader(io.BytesIO(booklet))
    assert float(reader.pages[0].mediabox.width) == pytest.approx(2 * A5[0], abs=0.1)
    # Fold and nest the sheets: the first half of the book is each sheet's front-right then back-left,
    # outermost first; the second half each sheet's back-right then front-left, innermost first.
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    order = [p for front, back in sheets for p in (front[1], back[0])]
    order += [p for front, back in reversed(sheets) for p in (back[1], front[0])]
    assert [p for p in order if p] == [f"P{n}" for n in range(1, pages + 1)]


def test_signatures_impose_each_part_on_its_own() -> None:
    assert signature_order(10, 8) == [(8, 1), (2, 7), (6, 3), (4, 5), (None, 9), (10, None)]
    assert signature_order(8, None) == saddle_stitch_order(8)


def test_gutter_grows_with_the_page_count() -> None:
    assert [round(gutter_mm(n), 3) for n in (24, 150, 151, 300, 301, 500, 501, 700, 701)] == [
        9.525,
        9.525,
        12.7,
        12.7,
        15.875,
        15.875,
        19.05,
        19.05,
        22.225,
    ]


def test_signature_must_be_a_multiple_of_four(tmp_path: Path) -> None:
    result = run_cli(
        "build", "--source", str(SAMPLE_ISSUES), "--output", str(tmp_path), "--booklet", "--signature", "6"
    )
    assert result.exit_code == 2 and "multiple of 4" in result.stderr


def test_booklet_of_the_sample_book_has_half_as_many_sheet_sides(press: dict[str, Path]) -> None:
    pages = len(PdfReader(press[".pdf"]).pages)
    sides = PdfReader(press["-booklet.pdf"]).pages
    assert len(sides) == 2 * -(-pages // 4)
    assert re.search(r"山海周刊合订本", sides[0].extract_text() or "") is not None


def test_missing_cmyk_profile_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("publish.writers.pdf.press.CMYK_PROFILES", (tmp_path / "none.icc",))
    result = run_cli(
        "build", "--source", str(SAMPLE_ISSUES), "--output", str(tmp_path / "out"), "--format", "pdf", "--print-ready"
    )
    assert result.exit_code == 1
    assert "no CMYK ICC profile for PDF/X-4: install Debian's libgs-common" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))
