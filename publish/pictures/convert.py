"""Each picture made fit for a target, once, cached and in parallel.

EPUB: JPEG or PNG only (Kindle conversions and older Kobo and Adobe readers show no WebP, GIF animation or
AVIF), at most 1600 px on the long side and 4 megapixels, so that a year of pictures stays a book a phone
can hold. PDF: at most 300 dpi at the largest size the page lets the picture print (the text block's
width, two thirds of its height), since more pixels are paper never sees. Either way a photo becomes a
JPEG and line art (few colours, or transparency) a PNG; a picture already fit keeps its own bytes.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import MappingProxyType

from publish.cache import Cache, code_digest, entry_key
from publish.model import Book
from publish.pictures.inspect import EXTENSIONS, read_header

EPUB_MAX_SIDE = 1600
EPUB_MAX_PIXELS = 4_000_000
PRINT_DPI = 300
CSS_PX_PER_INCH = 96
"""A picture's natural printed size: one pixel is one CSS px (WeasyPrint's default resolution)."""
JPEG_QUALITY = 85
_LINE_ART_COLOURS = 512
"""A picture whose 128-px thumbnail has at most this many colours is line art (a chart, a diagram)."""


@dataclass(frozen=True)
class Target:
    """What a writer needs: `max_side` and `max_pixels` bound the pixels (EPUB); `print_box_in` is the
    largest box, in inches, the picture can print in (PDF), which caps its pixels at PRINT_DPI."""

    name: str
    formats: tuple[str, ...]
    max_side: int | None = None
    max_pixels: int | None = None
    print_box_in: tuple[float, float] | None = None


EPUB = Target("epub", ("JPEG", "PNG"), max_side=EPUB_MAX_SIDE, max_pixels=EPUB_MAX_PIXELS)


def pdf_target(text_width_mm: float, text_height_mm: float) -> Target:
    return Target(
        "pdf",
        ("JPEG", "PNG"),
        print_box_in=(text_width_mm / 25.4, text_height_mm * 2 / 3 / 25.4),
    )


def _scale(width: int, height: int, target: Target) -> float:
    """The factor (at most 1) that brings the picture within the target's pixel limits."""
    scale = 1.0
    if target.max_side:
        scale = min(scale, target.max_side / max(width, height))
    if target.max_pixels:
        scale = min(scale, math.sqrt(target.max_pixels / (width * height)))
    if target.print_box_in:
        box_w, box_h = target.print_box_in
        natural_w, natural_h = width / CSS_PX_PER_INCH, height / CSS_PX_PER_INCH
        printed = min(1.0, box_w / natural_w, box_h / natural_h)  # CSS shrinks it to fit, never enlarges
        printed_w_in = natural_w * printed
        scale = min(scale, PRINT_DPI * printed_w_in / width)
    return scale


def _is_line_art(picture: object) -> bool:
    small = picture.copy()  # type: ignore[attr-defined]
    small.thumbnail((128, 128))
    return small.convert("RGB").getcolors(_LINE_ART_COLOURS) is not None


def fit_picture(data: bytes, target: Target) -> tuple[bytes, str]:
    """The picture's bytes for the target, and its format (JPEG or PNG)."""
    from PIL import Image

    info = read_header(data)  # the render stage decoded it whole already
    scale = _scale(info.width, info.height, target)
    if info.format in target.formats and scale >= 1.0 and not info.animated:
        return data, info.format
    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)  # an animation's first frame
        frame = picture.convert("RGBA" if info.has_alpha else "RGB")
    if scale < 1.0:
        size = (max(1, round(info.width * scale)), max(1, round(info.height * scale)))
        frame = frame.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    if info.has_alpha or (info.format != "JPEG" and _is_line_art(frame)):
        frame.save(out, "PNG", compress_level=6)
        return out.getvalue(), "PNG"
    frame.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return out.getvalue(), "JPEG"


def _fit_cached(data: bytes, target: Target, cache: Cache | None) -> tuple[bytes, str]:
    if cache is None:
        return fit_picture(data, target)
    key = entry_key(code_digest(__name__), repr(target), data)
    found = cache.get("pictures", key)
    if found is not None and found[:5] in (b"JPEG\0", b"PNG\0\0"):
        return found[5:], found[:5].rstrip(b"\0").decode()
    fitted, kind = fit_picture(data, target)
    cache.put("pictures", key, kind.encode().ljust(5, b"\0") + fitted)
    return fitted, kind


def fit_pictures(
    images: Mapping[str, bytes], target: Target, cache: Cache | None = None
) -> dict[str, tuple[str, bytes]]:
    """Every picture of the book fitted for the target, in parallel (Pillow decodes and encodes without
    holding the GIL): by its href, the href it gets in this target (its extension may change) and bytes."""
    hrefs = sorted(images)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        fitted = list(pool.map(lambda href: _fit_cached(images[href], target, cache), hrefs))
    result = {}
    for href, (data, kind) in zip(hrefs, fitted, strict=True):
        stem = href.rsplit(".", 1)[0]
        result[href] = (stem + EXTENSIONS[kind], data)
    return result


def rewrite_sources(markup: str, hrefs: Mapping[str, str]) -> str:
    """The chapter's markup with each picture's `src` changed to its href in this target."""
    for old, new in hrefs.items():
        if old != new:
            markup = markup.replace(f'src="{old}"', f'src="{new}"')
    return markup


def fit_book_pictures(book: Book, target: Target, cache: Cache | None = None) -> Book:
    """The book with every chapter's pictures fitted for the target and its markup pointing at them."""
    fitted = fit_pictures(book.images, target, cache)
    hrefs = {old: new for old, (new, _) in fitted.items()}
    chapters = tuple(
        replace(
            chapter,
            body=rewrite_sources(chapter.body, {old: hrefs[old] for old in chapter.images}),
            images=MappingProxyType({hrefs[old]: fitted[old][1] for old in chapter.images}),
            image_lines=MappingProxyType({hrefs.get(old, old): line for old, line in chapter.image_lines.items()}),
        )
        for chapter in book.chapters
    )
    return replace(book, chapters=chapters)
