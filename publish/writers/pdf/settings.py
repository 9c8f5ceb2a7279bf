"""`[print]` in book.toml: the PDF writer's settings, declared (publish/settings.py) — the trim, and what a
press or a print-on-demand service needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from publish.settings import setting
from publish.writers.picture_rows import CSS_PX_PER_INCH, Column

LINK_MODES = ("endnotes", "footnotes", "qrcodes", "none")
"""How `[print] links` may print the addresses of links (publish/writers/pdf/links.py)."""
PAGE_SIZES = {"A5": (148, 210), "B6": (125, 176), "大32开": (140, 203), "小32开": (130, 184)}
BODY_FONT_PT = 10.0
MIN_INNER_MARGIN_MM = 0.625 * 25.4
"""The gutter a print-on-demand service asks of books up to 500 pages, so that most books are laid out once."""
MIN_OUTER_MARGIN_MM = 15.0
TOP_MARGIN_MM = 20.0
BOTTOM_MARGIN_MM = 22.0
MM_PER_PT = 25.4 / 72
TRIM_RANGE_MM = (70.0, 500.0)
"""Each side of a page size given as W×H: from a pocket booklet (A7 is 74 mm wide) to a broadsheet."""


def parse_page_size(text: str) -> tuple[float, float] | None:
    if text in PAGE_SIZES:
        return PAGE_SIZES[text]
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*", text)
    return (float(match[1]), float(match[2])) if match else None


def trim_problem(trim: str) -> tuple[str, str] | None:
    size = parse_page_size(trim)
    if size is None:
        return f"unknown trim {trim!r}", f"use {', '.join(PAGE_SIZES)} or W×H in mm, e.g. 148x210"
    low, high = TRIM_RANGE_MM
    if not all(low <= side <= high for side in size):
        return (
            f"{trim!r} is not a page size a book is printed at",
            f"give each side from {low:.0f} to {high:.0f} mm, e.g. 148x210, or use {', '.join(PAGE_SIZES)}",
        )
    return None


def _volume_problem(pages: int) -> tuple[str, str] | None:
    if 0 < pages < MIN_VOLUME_PAGES:
        return f"{pages} pages is too few for a volume", f"use 0 (one volume) or at least {MIN_VOLUME_PAGES}"
    return None


MIN_VOLUME_PAGES = 16


@dataclass(frozen=True)
class PrintSettings:
    """What `[print]` in book.toml may say; every field has a sensible default."""

    trim: str = setting("A5", check=trim_problem)
    bleed_mm: float = setting(3.0, within=(0.0, 10.0), unit="mm")
    crop_marks: bool = setting(True)
    paper_thickness_mm: float = setting(0.1, within=(0.03, 0.5), unit="mm")
    """One leaf (two pages) of the interior paper, for the spine width of the cover."""
    links: str = setting("endnotes", choices=LINK_MODES, noun="a way to print links")
    """Where the PDF prints the address of each link: a list at the end of each issue (`endnotes`), at the
    foot of the page (`footnotes`), a grid of QR codes at the end of each issue (`qrcodes`), or nowhere
    (`none`)."""
    tagged: bool = setting(True)
    """The reading PDF (not --print-ready) is a tagged PDF: a structure tree in reading order, headings, lists,
    tables, pictures with their descriptions, links, for screen readers and reflow. False: untagged (faster)."""
    max_pages: int = setting(800, within=(0, 100_000), check=_volume_problem)
    """The most pages one volume may have: 800 is a perfect binding's practical limit at 80 g/m². A longer
    book is split at issue boundaries into balanced volumes (上册/下册…); 0 keeps it in one."""

    @property
    def page_size_mm(self) -> tuple[float, float]:
        return parse_page_size(self.trim) or PAGE_SIZES["A5"]


def text_block_mm(page_size_mm: tuple[float, float], font_pt: float = BODY_FONT_PT) -> tuple[float, float]:
    """The widest the text block can be (with the narrowest gutter) and its height."""
    width, height = page_size_mm
    em_mm = font_pt * MM_PER_PT
    ems = int((width - MIN_INNER_MARGIN_MM - MIN_OUTER_MARGIN_MM) // em_mm)
    return ems * em_mm, height - TOP_MARGIN_MM - BOTTOM_MARGIN_MM


def print_column(page_size_mm: tuple[float, float]) -> Column:
    """The printed book's column in CSS px: the text block's width, and two thirds of its height as the
    tallest a picture prints (templates/pdf_page_geometry.css). Every edition pairs pictures by it."""
    width_mm, height_mm = text_block_mm(page_size_mm)
    return Column(width_mm / 25.4 * CSS_PX_PER_INCH, height_mm * 2 / 3 / 25.4 * CSS_PX_PER_INCH)
