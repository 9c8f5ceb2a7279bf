"""The PDF of the sample issues, read by its text, outline, fonts and boxes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.model import Selection
from publish.source import collect_issues

from ...testing_utils import SAMPLE_ISSUES, build_sample, pdf_pages_text, printed_folio

A5_POINTS = (419.53, 595.28)


@pytest.fixture(scope="module")
def reader(sample_books: dict[str, Path]) -> PdfReader:
    return PdfReader(sample_books["pdf"])


@pytest.fixture(scope="module")
def pages(sample_books: dict[str, Path]) -> list[str]:
    return pdf_pages_text(sample_books["pdf"])


@pytest.fixture(scope="module")
def issues():
    found, _ = collect_issues(SAMPLE_ISSUES, Selection())
    return found


def _issue_start_pages(pages: list[str], issues) -> dict[int, int]:
    """Physical page (1-based) on which each issue's opening header stands."""
    starts = {}
    for issue in issues:
        marker = re.compile(rf"\s*第\s*{issue.number}\s*期")  # pdftotext may drop a narrow space
        starts[issue.number] = next(
            index + 1
            for index, text in enumerate(pages)
            if marker.match(text) and issue.title.split("：")[1][:6] in text
        )
    return starts


def test_page_size_is_a5(reader: PdfReader) -> None:
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A5_POINTS


def test_every_font_is_embedded(reader: PdfReader) -> None:
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor_owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descriptor_owner["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert "Noto-Serif-CJK-SC" in seen


def test_outline_lists_issues_in_order_with_their_sections(reader: PdfReader, issues) -> None:
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == ["目录", *[i.title for i in issues]]
    first_children = reader.outline[2]
    assert isinstance(first_children, list)
    assert [c.title for c in first_children] == [
        "一、注意力不是被偷走的",
        "二、记忆需要上下文",
        "三、读长文的人，也更会写",
        "本期推荐",
    ]


def test_issues_open_on_recto_pages_with_their_metadata(pages: list[str], issues) -> None:
    starts = _issue_start_pages(pages, issues)
    for issue in issues:
        page = starts[issue.number]
        assert page % 2 == 1, f"issue {issue.number} opens on verso page {page}"
        text = re.sub(r"\s+", "", pages[page - 1])
        assert f"{issue.date.year}年{issue.date.month}月{issue.date.day}日" in text
        assert re.sub(r"\s+", "", issue.description)[:20] in text


def test_toc_page_numbers_equal_the_printed_folios(pages: list[str], issues) -> None:
    toc_page = next(i for i, text in enumerate(pages) if text.lstrip().startswith("目录"))
    toc_text = "\n".join(pages[toc_page : toc_page + 2])
    listed = {int(n): int(p) for n, p in re.findall(r"第 (\d+) 期 .*?\.{3,}\s*(\d+)\s*$", toc_text, re.MULTILINE)}
    assert sorted(listed) == [i.number for i in issues]
    starts = _issue_start_pages(pages, issues)
    for number, listed_page in listed.items():
        assert printed_folio(pages[starts[number] - 1]) == str(listed_page), number
    assert listed[issues[0].number] == 1


def test_front_matter_has_roman_folios_and_no_running_heads(pages: list[str]) -> None:
    toc_page = next(i for i, text in enumerate(pages) if text.lstrip().startswith("目录"))
    assert printed_folio(pages[toc_page]) == "iii"
    assert printed_folio(pages[0]) is None  # title page
    assert "山海周刊合订本" not in pages[toc_page]


def test_blank_pages_are_entirely_blank_and_heads_run_elsewhere(pages: list[str], issues) -> None:
    blank = [i for i, text in enumerate(pages) if not text.strip()]
    assert blank, "the sample book is expected to need blank versos before some issues"
    starts = set(_issue_start_pages(pages, issues).values())
    for index, text in enumerate(pages):
        if index + 1 in starts:
            assert "山海周刊合订本" not in text.splitlines()[0]
    body_versos = [text for i, text in enumerate(pages) if text.strip() and (i + 1) % 2 == 0 and i > 4]
    assert any(text.lstrip().startswith("山海周刊合订本") for text in body_versos)


@pytest.mark.parametrize(
    ("estimate", "expected"),
    [(None, "laid out once"), (1, "every issue is laid out again")],
    ids=["estimate long enough: once", "estimate too short: again, and said"],
)
def test_issues_are_laid_out_again_only_when_the_gutter_must_grow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, estimate, expected: str
) -> None:
    """The gutter depends on the page count, known only after layout: the estimate errs long, so that a
    cold build lays each issue out once; when it errs short, --verbose says the book was laid out again."""
    import logging

    from publish.writers.pdf import document

    # Gutters wider than the minimum inside margin, with a step the sample book's page count crosses.
    monkeypatch.setattr(document, "GUTTER_BY_PAGES", ((5, 0.8), (None, 1.0)))
    if estimate is not None:
        monkeypatch.setattr(document, "estimated_pages", lambda book: estimate)
    caplog.set_level(logging.INFO, logger="publish")
    result = build_sample(tmp_path / "out", "--format", "pdf", "--no-cache", "--verbose")
    assert result.exit_code == 0, result.output
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("publish.writers.pdf")]
    assert any(expected in message for message in messages), messages
    if estimate is None:
        assert not any("again" in message for message in messages)
