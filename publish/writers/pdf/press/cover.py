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
    return _finish_pdf(data)


def _finish_pdf(data: bytes) -> bytes:
    """The sheet written back with the ICC profile WeasyPrint repeats on every page stored once, its PDF
    version kept (PDF/X-4 needs 1.6), and an /ID derived from its content so that rebuilds are identical."""
    import pikepdf

    from publish.writers.pdf.merge import share_icc_profiles

    with pikepdf.open(io.BytesIO(data)) as sheet:
        share_icc_profiles(sheet)
        out = io.BytesIO()
        sheet.save(out, deterministic_id=True, min_version=sheet.pdf_version)
    return out.getvalue()
