"""Write the PDF with WeasyPrint: one HTML document for the whole book, laid out by styles/pdf.css."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

from .book import Book
from .fetch import BOOK_BASE_URL, BookFetcher
from .pages import render_page

log = logging.getLogger(__name__)


def book_html(book: Book) -> str:
    return render_page("pdf_book.html", book=book, stylesheets=[], href=lambda c: f"#{c.anchor}")


BODY_FONT_PT = 10.0
INNER_MARGIN_MM = 20.0
MIN_OUTER_MARGIN_MM = 15.0
TOP_MARGIN_MM = 20.0
BOTTOM_MARGIN_MM = 22.0
_MM_PER_PT = 25.4 / 72


def page_geometry_css(page_size_mm: tuple[float, float], font_pt: float = BODY_FONT_PT) -> str:
    """Trim, mirrored margins and body size, with the text block a whole number of em wide, so that
    a line of Chinese fills it exactly and justification has nothing to stretch."""
    width, height = page_size_mm
    em_mm = font_pt * _MM_PER_PT
    ems = int((width - INNER_MARGIN_MM - MIN_OUTER_MARGIN_MM) // em_mm)
    outer = width - INNER_MARGIN_MM - ems * em_mm
    return (
        f"@page {{ size: {width}mm {height}mm; margin: {TOP_MARGIN_MM}mm {outer:.4f}mm {BOTTOM_MARGIN_MM}mm; }}\n"
        f"@page :left {{ margin-left: {outer:.4f}mm; margin-right: {INNER_MARGIN_MM}mm; }}\n"
        f"@page :right {{ margin-left: {INNER_MARGIN_MM}mm; margin-right: {outer:.4f}mm; }}\n"
        f"html {{ font-size: {font_pt}pt; }}\n"
    )


def build_pdf(
    book: Book, stylesheets: list[str], page_size_mm: tuple[float, float], images: Mapping[str, bytes]
) -> bytes:
    """The whole PDF as bytes. WeasyPrint is imported here, so EPUB-only builds never pay for it."""
    from weasyprint import CSS, HTML

    from .justify import install

    install()
    html_text = book_html(book)
    fetcher = BookFetcher(images)
    css = [CSS(string=text, url_fetcher=fetcher, base_url=BOOK_BASE_URL) for text in stylesheets]
    css.append(CSS(string=page_geometry_css(page_size_mm)))
    document = HTML(string=html_text, base_url=BOOK_BASE_URL, url_fetcher=fetcher).render(stylesheets=css)
    identifier = hashlib.sha256(html_text.encode("utf-8") + "".join(stylesheets).encode("utf-8")).hexdigest()
    data = document.write_pdf(pdf_identifier=identifier[:32].encode("ascii"))
    if fetcher.refused:
        log.warning("the PDF refused %d outside resource(s), e.g. %s", len(fetcher.refused), fetcher.refused[0])
    return data
