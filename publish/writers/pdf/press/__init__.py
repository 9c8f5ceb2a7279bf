"""The print shop's versions of the book: PDF/X-4 in CMYK with bleed and crop marks (the interior, and
the cover sheet in cover.py), and the booklet imposed for saddle stitching (imposition.py)."""

from __future__ import annotations

from pathlib import Path

from publish.errors import PublishError
from publish.internals.weasy.fetch import BOOK_BASE_URL
from publish.writers.page_templates import render_page
from publish.writers.pdf.settings import PrintSettings

PRESS_PROFILE = "press/cmyk.icc"
"""Where every part of a press PDF finds the CMYK profile its colours are in, under the book's base URL."""
CMYK_PROFILES = (
    Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),
    Path("/usr/share/color/icc/ghostscript/ps_cmyk.icc"),
)
"""CMYK ICC profiles Debian's libgs-common ships, for the PDF/X output intent."""


def cmyk_profile() -> bytes:
    for path in CMYK_PROFILES:
        if path.is_file():
            return path.read_bytes()
    raise PublishError("no CMYK ICC profile for PDF/X-4: install Debian's libgs-common (`make book` does)")


def press_css(settings: PrintSettings | None) -> str:
    """The CMYK output intent; with print settings, their bleed and crop marks on every page too."""
    return render_page(
        "pdf_press.css",
        profile_url=BOOK_BASE_URL + PRESS_PROFILE,
        bleed_mm=settings.bleed_mm if settings is not None else None,
        crop_marks=settings.crop_marks if settings is not None else False,
    )
