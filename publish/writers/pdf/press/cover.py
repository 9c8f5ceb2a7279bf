"""The printed cover: back, spine and front on one sheet with bleed, the spine as wide as the book is thick."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from publish.model import Book
from publish.writers.page_templates import render_page
from publish.writers.pdf.press import PRESS_PROFILE, cmyk_profile, press_css
from publish.writers.pdf.settings import PrintSettings

SPINE_TITLE_MIN_MM = 6.0
"""Below this the spine is too narrow for a vertical title."""


@dataclass(frozen=True)
class CoverGeometry:
    trim_width_mm: float
    trim_height_mm: float
    spine_mm: float
    bleed_mm: float

    @property
    def sheet_width_mm(self) -> float:
        """Without bleed: back + spine + front. The PDF's MediaBox adds the bleed on each side."""
        return 2 * self.trim_width_mm + self.spine_mm


def spine_width_mm(pages: int, paper_thickness_mm: float) -> float:
    """Each leaf (two pages) adds the paper's thickness."""
    return math.ceil(pages / 2) * paper_thickness_mm


def cover_geometry_css(geometry: CoverGeometry) -> str:
    spine_font = min(max(geometry.spine_mm * 0.55, 4.0), 9.0)
    return render_page("pdf_cover_geometry.css", g=geometry, spine_font=spine_font)


def build_cover_pdf(book: Book, stylesheet: str, geometry: CoverGeometry) -> bytes:
    """A one-page PDF/X-4 of the whole cover sheet, laid out like every other part of the book."""
    import hashlib

    from pypdf import PdfReader, PdfWriter

    from publish.writers.pdf.layout import LayoutJob, lay_out

    # The cover always has its bleed and crop marks: the sheet is trimmed to the book.
    press = press_css(PrintSettings(bleed_mm=geometry.bleed_mm, crop_marks=True))
    html_text = render_page("pdf_cover.html", book=book, spine_title=geometry.spine_mm >= SPINE_TITLE_MIN_MM)
    job = LayoutJob(
        label="封面",
        html=html_text,
        stylesheets=(press + stylesheet + cover_geometry_css(geometry),),
        resources={PRESS_PROFILE: cmyk_profile()},
        press=True,
    )
    data = lay_out(job).pdf
    identifier = hashlib.sha256((html_text + stylesheet + repr(geometry)).encode()).hexdigest()[:32].encode()
    return _finish_pdf(PdfWriter(clone_from=PdfReader(io.BytesIO(data))), data, identifier)


def _finish_pdf(writer: object, original: bytes, identifier: bytes) -> bytes:
    """Write a pypdf document back: the original PDF version (PDF/X-4 needs 1.6), shared objects stored
    once (WeasyPrint repeats the ICC profile on every page), and a fixed /ID so rebuilds are identical."""
    from publish.internals.pypdf_trailer import set_document_id

    writer.pdf_header = original.split(b"\n", 1)[0]  # type: ignore[attr-defined]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)  # type: ignore[attr-defined]
    set_document_id(writer, identifier)  # type: ignore[arg-type]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()
