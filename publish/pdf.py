"""Write the PDF with WeasyPrint: one HTML document for the whole book, laid out by styles/pdf.css.

For the press (`--print-ready`) the same book gets bleed, crop marks, PDF/X-4 with a CMYK output intent
and CMYK colours; in every PDF the inner margin grows with the page count as print-on-demand services
require, footnotes sit at the foot of their page, and page labels match the printed folios.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from .book import Book
from .errors import Problem, PublishError, Severity
from .fetch import BOOK_BASE_URL, BookFetcher
from .markdown import Chapter
from .pages import render_page

log = logging.getLogger(__name__)

BODY_FONT_PT = 10.0
MIN_INNER_MARGIN_MM = 0.625 * 25.4
"""The gutter a print-on-demand service asks of books up to 500 pages, so that most books are laid out once."""
MIN_OUTER_MARGIN_MM = 15.0
TOP_MARGIN_MM = 20.0
BOTTOM_MARGIN_MM = 22.0
_MM_PER_PT = 25.4 / 72
_MM_PER_INCH = 25.4
GUTTER_BY_PAGES = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (None, 0.875))
"""Minimum inside margin, in inches, by page count: what print-on-demand services ask of a bound book."""
CMYK_PROFILES = (
    Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),
    Path("/usr/share/color/icc/ghostscript/ps_cmyk.icc"),
)
"""CMYK ICC profiles Debian's libgs-common ships, for the PDF/X output intent."""


@dataclass(frozen=True)
class PressOptions:
    """What a print shop needs beyond the trim: bleed, crop marks, PDF/X-4 with a CMYK output intent."""

    bleed_mm: float = 3.0
    crop_marks: bool = True


PRESS_MIN_DPI = 300


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    warnings: tuple[Problem, ...]
    pages: int
    front_pages: int
    """Pages before the first issue (title, colophon, contents), numbered in roman."""
    inner_margin_mm: float


def gutter_mm(pages: int) -> float:
    for limit, inches in GUTTER_BY_PAGES:
        if limit is None or pages <= limit:
            return inches * _MM_PER_INCH
    raise AssertionError("unreachable")


def inner_margin_mm(pages: int) -> float:
    return max(MIN_INNER_MARGIN_MM, gutter_mm(pages))


def page_geometry_css(
    page_size_mm: tuple[float, float], inner_mm: float = MIN_INNER_MARGIN_MM, font_pt: float = BODY_FONT_PT
) -> str:
    """Trim, mirrored margins and body size, with the text block a whole number of em wide, so that
    a line of Chinese fills it exactly and justification has nothing to stretch."""
    width, height = page_size_mm
    em_mm = font_pt * _MM_PER_PT
    ems = int((width - inner_mm - MIN_OUTER_MARGIN_MM) // em_mm)
    outer = width - inner_mm - ems * em_mm
    return (
        f"@page {{ size: {width}mm {height}mm; margin: {TOP_MARGIN_MM}mm {outer:.4f}mm {BOTTOM_MARGIN_MM}mm; }}\n"
        f"@page :left {{ margin-left: {outer:.4f}mm; margin-right: {inner_mm:.4f}mm; }}\n"
        f"@page :right {{ margin-left: {inner_mm:.4f}mm; margin-right: {outer:.4f}mm; }}\n"
        f"html {{ font-size: {font_pt}pt; }}\n"
    )


def press_css(press: PressOptions, profile_url: str) -> str:
    marks = "crop" if press.crop_marks else "none"
    return (
        f"@color-profile device-cmyk {{ src: url({profile_url}); components: cyan, magenta, yellow, black; }}\n"
        f"@page {{ bleed: {press.bleed_mm}mm; marks: {marks}; }}\n"
    )


def cmyk_profile() -> Path:
    for path in CMYK_PROFILES:
        if path.is_file():
            return path
    raise PublishError("no CMYK ICC profile for PDF/X-4: install Debian's libgs-common (`make book` does)")


def footnotes_at_page_foot(body: str) -> str:
    """Move each footnote's text to its call, as a `float: footnote` span, and drop the list at the end;
    WeasyPrint then sets it at the foot of the page and numbers it."""
    root = etree.fromstring(f"<div>{body}</div>".encode())
    notes = {item.get("id"): item for item in root.iter("li") if "footnote-item" in (item.get("class") or "")}
    if not notes:
        return body
    for sup in list(root.iter("sup")):
        link = sup.find("a")
        if "footnote-ref" not in (sup.get("class") or "") or link is None:
            continue
        item = notes.get((link.get("href") or "").lstrip("#"))
        if item is None:
            continue
        note = etree.Element("span", {"class": "footnote"})
        paragraphs = item.findall("p") or [item]
        for index, paragraph in enumerate(paragraphs):
            if index:
                etree.SubElement(note, "br")
            copy = etree.fromstring(etree.tostring(paragraph))
            for back in copy.iter("a"):
                if "footnote-backref" in (back.get("class") or ""):
                    back.getparent().remove(back)
            if len(note):
                note[-1].tail = (note[-1].tail or "") + (copy.text or "")
            else:
                note.text = (note.text or "") + (copy.text or "")
            note.extend(list(copy))
        anchor = etree.Element("span", {"class": "footnote-anchor"})
        anchor.tail = sup.tail
        previous, parent = sup.getprevious(), sup.getparent()
        owner, attribute = (previous, "tail") if previous is not None else (parent, "text")
        text = (getattr(owner, attribute) or "").rstrip("\u2060")
        if text:  # the call stays on the line of the character before it
            setattr(owner, attribute, text[:-1])
            anchor.text = text[-1]
        anchor.append(note)
        parent.replace(sup, anchor)
    for element in list(root.iter("section", "hr")):
        if element.get("class") in ("footnotes", "footnotes-sep"):
            element.getparent().remove(element)
    from xml.sax.saxutils import escape

    return escape(root.text or "") + "".join(etree.tostring(c, encoding="unicode", with_tail=True) for c in root)


def book_html(book: Book) -> str:
    chapters = tuple(replace(c, body=footnotes_at_page_foot(c.body)) for c in book.chapters)
    return render_page(
        "pdf_book.html", book=replace(book, chapters=chapters), stylesheets=[], href=lambda c: f"#{c.anchor}"
    )


def _front_page_count(document: object, first: Chapter) -> int:
    for index, page in enumerate(document.pages):  # type: ignore[attr-defined]
        if any(level == 1 and label == first.issue.title for level, label, *_ in page.bookmarks):
            return index
    return 0


def build_pdf(
    book: Book,
    stylesheets: list[str],
    page_size_mm: tuple[float, float],
    images: Mapping[str, bytes],
    *,
    press: PressOptions | None = None,
) -> RenderedPdf:
    """The whole PDF. WeasyPrint is imported here, so EPUB-only builds never pay for it. Laid out once
    with the narrowest inner margin, and again if the page count asks for a wider gutter."""
    from weasyprint import CSS, HTML

    from .justify import install

    install()
    html_text = book_html(book)
    extra: dict[str, bytes] = {}
    profile_url = ""
    if press is not None:
        profile = cmyk_profile()
        profile_url = BOOK_BASE_URL + "press/cmyk.icc"
        extra["press/cmyk.icc"] = profile.read_bytes()
    fetcher = BookFetcher({**images, **extra})
    profiles: dict = {}
    base = [
        CSS(string=text, url_fetcher=fetcher, base_url=BOOK_BASE_URL, color_profiles=profiles) for text in stylesheets
    ]
    if press is not None:
        base.append(
            CSS(
                string=press_css(press, profile_url),
                url_fetcher=fetcher,
                base_url=BOOK_BASE_URL,
                color_profiles=profiles,
            )
        )
    variant = {"pdf_variant": "pdf/x-4"} if press is not None else {}
    html = HTML(string=html_text, base_url=BOOK_BASE_URL, url_fetcher=fetcher)

    inner = MIN_INNER_MARGIN_MM
    document = html.render(
        stylesheets=[*base, CSS(string=page_geometry_css(page_size_mm, inner))], color_profiles=profiles, **variant
    )
    if inner_margin_mm(len(document.pages)) > inner:
        inner = inner_margin_mm(len(document.pages))
        document = html.render(
            stylesheets=[*base, CSS(string=page_geometry_css(page_size_mm, inner))], color_profiles=profiles, **variant
        )
    material = html_text + "".join(stylesheets) + repr((page_size_mm, inner, press))
    identifier = hashlib.sha256(material.encode("utf-8")).hexdigest()[:32].encode("ascii")
    front = _front_page_count(document, book.chapters[0])
    data = document.write_pdf(pdf_identifier=identifier, finisher=page_labels_finisher(front), **variant)
    if fetcher.refused:
        log.warning("the PDF refused %d outside resource(s), e.g. %s", len(fetcher.refused), fetcher.refused[0])
    if press is not None:  # WeasyPrint repeats the ICC profile on every page: store it once
        from pypdf import PdfReader, PdfWriter

        data = finish_pdf(PdfWriter(clone_from=PdfReader(io.BytesIO(data))), data, identifier)
    warnings = tuple(low_resolution_images(document, book, images)) if press is not None else ()
    return RenderedPdf(
        data=data,
        warnings=warnings,
        pages=len(document.pages),
        front_pages=front,
        inner_margin_mm=inner,
    )


def low_resolution_images(document: object, book: Book, images: Mapping[str, bytes]) -> list[Problem]:
    """A warning for each image printed at less than 300 dpi at its placed size, with file and line."""
    from PIL import Image
    from weasyprint.formatting_structure import boxes

    sources = {
        href: (chapter.issue.path, chapter.image_lines.get(href))
        for chapter in book.chapters
        for href in chapter.images
    }
    placed: dict[str, float] = {}

    def visit(box: object) -> None:
        if isinstance(box, boxes.ReplacedBox) and box.element is not None:
            href = (box.element.get("src") or "").strip()
            if href in images:
                placed[href] = max(placed.get(href, 0.0), box.width)
        for child in getattr(box, "children", []):
            visit(child)

    for page in document.pages:  # type: ignore[attr-defined]
        visit(page._page_box)
    problems = []
    for href, width_px in sorted(placed.items()):
        pixels = Image.open(io.BytesIO(images[href])).width
        dpi = pixels / (width_px / 96)
        if dpi < PRESS_MIN_DPI:
            path, line = sources[href]
            needed = math.ceil(PRESS_MIN_DPI * width_px / 96)
            problems.append(
                Problem(
                    path,
                    line,
                    "image",
                    f"{pixels} px wide, printed {width_px * 25.4 / 96:.0f} mm wide: "
                    f"{dpi:.0f} dpi, under {PRESS_MIN_DPI}",
                    f"use a picture at least {needed} px wide",
                    Severity.WARNING,
                )
            )
    return problems


def page_labels_finisher(front_pages: int) -> Callable[[object, object], None]:
    """Page labels so that viewers show the printed folios: i, ii, … for the front matter, then 1, 2, …
    Added to WeasyPrint's own PDF object before it is written, so no second pass over the file."""
    import pydyf

    def finish(document: object, pdf: pydyf.PDF) -> None:
        numbers = pydyf.Array()
        if front_pages:
            numbers.extend([0, pydyf.Dictionary({"S": "/r"})])
        numbers.extend([front_pages, pydyf.Dictionary({"S": "/D", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})

    return finish


def finish_pdf(writer: object, original: bytes, identifier: bytes) -> bytes:
    """Write a pypdf document back: the original PDF version (PDF/X-4 needs 1.6), shared objects stored
    once (WeasyPrint repeats the ICC profile on every page), and a fixed /ID so rebuilds are identical."""
    from pypdf.generic import ArrayObject, ByteStringObject

    writer.pdf_header = original.split(b"\n", 1)[0]  # type: ignore[attr-defined]
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)  # type: ignore[attr-defined]
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])  # type: ignore[attr-defined]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()
