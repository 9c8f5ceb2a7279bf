"""Write the PDF with WeasyPrint: one HTML document for the whole book, laid out by styles/pdf.css."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path

from .book import Book
from .fetch import BOOK_BASE_URL, BookFetcher
from .pages import render_page

log = logging.getLogger(__name__)


def book_html(book: Book) -> str:
    return render_page("pdf_book.html", book=book, stylesheets=[], href=lambda c: f"#{c.anchor}")


def build_pdf(
    book: Book, stylesheets: list[str], page_size_mm: tuple[float, float], images: Mapping[str, Path]
) -> bytes:
    """The whole PDF as bytes. WeasyPrint is imported here, so EPUB-only builds never pay for it."""
    from weasyprint import CSS, HTML

    html_text = book_html(book)
    fetcher = BookFetcher(images)
    width, height = page_size_mm
    css = [CSS(string=text, url_fetcher=fetcher, base_url=BOOK_BASE_URL) for text in stylesheets]
    css.append(CSS(string=f"@page {{ size: {width}mm {height}mm; }}"))
    document = HTML(string=html_text, base_url=BOOK_BASE_URL, url_fetcher=fetcher).render(stylesheets=css)
    identifier = hashlib.sha256(html_text.encode("utf-8") + "".join(stylesheets).encode("utf-8")).hexdigest()
    data = document.write_pdf(pdf_identifier=identifier[:32].encode("ascii"))
    if fetcher.refused:
        log.warning("the PDF refused %d outside resource(s), e.g. %s", len(fetcher.refused), fetcher.refused[0])
    return data
