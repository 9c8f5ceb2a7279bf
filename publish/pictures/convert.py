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
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from publish.cache import Cache, code_digest, entry_key
from publish.model import Book
from publish.pictures.inspect import EXTENSIONS, PictureInfo, read_header
from publish.pictures.metadata import orientation, without_metadata

if TYPE_CHECKING:
    from PIL import Image

EPUB_MAX_SIDE = 1600
EPUB_MAX_PIXELS = 4_000_000
PRINT_DPI = 300
CSS_PX_PER_INCH = 96
"""A picture's natural printed size: one pixel is one CSS px (WeasyPrint's default resolution)."""
JPEG_QUALITY = 85
_HEAVY_PNG_BYTES_PER_PIXEL = 0.25
"""A PNG larger than this is most likely a photo saved as PNG: it is made a JPEG unless it is line art."""
_LINE_ART_COLOURS = 512
_FLAT_COLOURS, _FLAT_SHARE = 16, 0.7
"""Line art: its 16 commonest colours cover at least 70 % of it."""
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
    png_level: int = 6
    """zlib level of the PNGs made for this target (the PDF embeds their data as it is: internals/weasy/images.py)."""
    jpeg_quality: int = JPEG_QUALITY
    palette: bool = False
    """Line art as a palette PNG (256 colours): for an EPUB that must shed weight."""


EPUB = Target("epub", ("JPEG", "PNG"), max_side=EPUB_MAX_SIDE, max_pixels=EPUB_MAX_PIXELS)

EPUB_STEPS = (
    EPUB,
    replace(EPUB, max_side=1400, jpeg_quality=80, palette=True),
    replace(EPUB, max_side=1200, jpeg_quality=70, palette=True),
    replace(EPUB, max_side=1000, jpeg_quality=60, palette=True),
)
"""How an EPUB's pictures shed weight when the book must fit a size (`[epub] max_mb`), step by step; the last is
the floor that keeps a screenshot's text legible on an e-reader (1000 px, JPEG quality 60)."""


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


def _is_line_art(picture: Image.Image) -> bool:
    """Flat colour, judged on a reduced copy of about 128 px: a few colours cover most of it (a chart, a
    diagram, a screenshot of text). A grey photo has few colours too, but spread evenly."""
    factor = max(1, max(picture.size) // 128)
    small = (picture.reduce(factor) if factor > 1 else picture).convert("RGB")
    colours = small.getcolors(_LINE_ART_COLOURS)
    if colours is None:
        return False
    counts = sorted((count for count, _ in colours), reverse=True)
    return sum(counts[:_FLAT_COLOURS]) >= _FLAT_SHARE * small.width * small.height


def fit_picture(data: bytes, target: Target) -> tuple[bytes, str]:
    """The picture's bytes for the target, and its format (JPEG or PNG): upright, in its colour profile,
    without any other metadata (pictures/metadata.py)."""
    return fit_picture_for(data, (target,))[0]


def fit_picture_for(data: bytes, targets: tuple[Target, ...]) -> list[tuple[bytes, str]]:
    """The picture fitted for each target, decoded once for all of them (a JPEG shrunk a lot is decoded at a
    reduced size for each target instead: far faster than decoding it whole). The result for a target is the
    same whether it is made alone or with others."""
    info = read_header(data)  # the render stage read it whole already
    turn = orientation(data) if info.format in ("JPEG", "PNG", "WEBP") else 1
    width, height = (info.height, info.width) if turn >= 5 else (info.width, info.height)  # 5–8 turn it
    heavy = info.format == "PNG" and len(data) > _HEAVY_PNG_BYTES_PER_PIXEL * info.width * info.height
    shared: tuple[Image.Image, bytes | None] | None = None
    results = []
    for target in targets:
        scale = _scale(width, height, target)
        lighter = target.jpeg_quality < JPEG_QUALITY or target.palette  # a step of the EPUB's budget
        fit = info.format in target.formats and scale >= 1.0 and not info.animated and not heavy and not lighter
        if fit and turn == 1:
            results.append((without_metadata(data, info.format), info.format))
            continue
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if info.format == "JPEG" and scale < 1.0 and turn == 1:
            frame, profile = _decoded(data, info.has_alpha, turn, size)
        else:
            shared = shared or _decoded(data, info.has_alpha, turn, None)
            frame, profile = shared
        results.append(_encoded(data, info, turn, frame, profile, size, target))
    return results


def _decoded(data: bytes, alpha: bool, turn: int, draft: tuple[int, int] | None) -> tuple[Image.Image, bytes | None]:
    """The picture's pixels, upright, and its colour profile; with `draft`, decoded at 1/2, 1/4 or 1/8 of its
    size (a JPEG only) so as to still cover that size."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)  # an animation's first frame
        profile = picture.info.get("icc_profile")
        if draft is not None:
            picture.draft("RGB", draft)
        upright = ImageOps.exif_transpose(picture) if turn != 1 else picture
        frame = upright.convert("RGBA" if alpha else "RGB")
    frame.info.clear()  # Pillow writes a JPEG comment (and more) it finds here: only the colour profile goes on
    return frame, profile


def _encoded(
    data: bytes,
    info: PictureInfo,
    turn: int,
    frame: Image.Image,
    profile: bytes | None,
    size: tuple[int, int],
    target: Target,
) -> tuple[bytes, str]:
    """The decoded picture at `size`, as a PNG (line art, transparency) or a JPEG (a photo)."""
    from PIL import Image

    if frame.size != size:
        frame = frame.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.5)
    colour = {"icc_profile": profile} if profile else {}
    out = io.BytesIO()
    if info.has_alpha or (info.format != "JPEG" and _is_line_art(frame)):
        same = turn == 1 and frame.size == (info.width, info.height) and info.format == "PNG"
        if same and "PNG" in target.formats and not target.palette:
            return without_metadata(data, "PNG"), "PNG"  # heavy, but line art: the PNG it was is as good as any
        if target.palette:
            frame = frame.quantize(256, dither=Image.Dither.NONE)
        frame.save(out, "PNG", compress_level=target.png_level, optimize=target.palette, **colour)
        fitted = out.getvalue()
        if same and len(fitted) >= len(data):
            return without_metadata(data, "PNG"), "PNG"  # the palette did not make it lighter
        return fitted, "PNG"
    frame.convert("RGB").save(out, "JPEG", quality=target.jpeg_quality, **colour)
    same = turn == 1 and frame.size == (info.width, info.height) and info.format == "JPEG"
    if same and len(out.getvalue()) >= len(data):
        return without_metadata(data, "JPEG"), "JPEG"  # lighter already than this step would make it
    return out.getvalue(), "JPEG"


Fitted = dict[str, tuple[bytes, str]]
"""Pictures fitted before the writers ask, by cache key: what a build without a cache keeps in memory."""


def _key(data: bytes, target: Target) -> str:
    return entry_key(code_digest(__name__), repr(target), data)


def _cached(key: str, cache: Cache | None, fitted: Fitted | None) -> tuple[bytes, str] | None:
    if fitted is not None and key in fitted:
        return fitted[key]
    entry = cache.get("pictures", key) if cache is not None else None
    if entry is not None and entry[:5] in (b"JPEG\0", b"PNG\0\0"):
        return entry[5:], entry[:5].rstrip(b"\0").decode()
    return None


def _map(function: Callable[..., list[tuple[bytes, str]]], jobs: list[tuple[bytes, tuple[Target, ...]]]) -> list:
    """The function over the jobs, in processes when there are several and more than one core: decoding
    and encoding hold the GIL for long stretches."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(function, *zip(*jobs, strict=True), chunksize=4))
    return [function(data, targets) for data, targets in jobs]


def fit_all(images: Mapping[str, bytes], targets: list[Target], cache: Cache | None = None) -> Fitted:
    """Every picture fitted for every target at once — each decoded once for all of them, in parallel —
    and kept in the cache, or returned for a build without one (fit_book_pictures then finds them)."""
    unique = {data for data in images.values()}
    jobs: list[tuple[bytes, tuple[Target, ...]]] = []
    for data in sorted(unique):
        # Whether the cache holds it, without reading it back: the writers read what they use.
        missing = tuple(t for t in dict.fromkeys(targets) if cache is None or not cache.has("pictures", _key(data, t)))
        if missing:
            jobs.append((data, missing))
    fitted: Fitted = {}
    for (data, missing), results in zip(jobs, _map(fit_picture_for, jobs), strict=True):
        for target, (made, kind) in zip(missing, results, strict=True):
            key = _key(data, target)
            if cache is not None:
                cache.put("pictures", key, kind.encode().ljust(5, b"\0") + made)
            else:
                fitted[key] = (made, kind)
    return fitted


def fit_pictures(
    images: Mapping[str, bytes], target: Target, cache: Cache | None = None, fitted: Fitted | None = None
) -> dict[str, tuple[str, bytes]]:
    """Every picture of the book fitted for the target, from what was fitted already (`fit_all`, the
    cache) or made in parallel: by its href, the href it gets in this target (its extension may change)
    and its bytes."""
    hrefs = sorted(images)
    found: dict[str, tuple[bytes, str]] = {}
    for href in hrefs:
        cached = _cached(_key(images[href], target), cache, fitted)
        if cached is not None:
            found[href] = cached
    missing = [href for href in hrefs if href not in found]
    made = _map(fit_picture_for, [(images[href], (target,)) for href in missing])
    for href, [(data, kind)] in zip(missing, made, strict=True):
        found[href] = (data, kind)
        if cache is not None:
            cache.put("pictures", _key(images[href], target), kind.encode().ljust(5, b"\0") + data)
    result = {}
    for href in hrefs:
        data, kind = found[href]
        stem = href.rsplit(".", 1)[0]
        result[href] = (stem + EXTENSIONS[kind], data)
    return result


def rewrite_sources(markup: str, hrefs: Mapping[str, str]) -> str:
    """The chapter's markup with each picture's `src` changed to its href in this target."""
    for old, new in hrefs.items():
        if old != new:
            markup = markup.replace(f'src="{old}"', f'src="{new}"')
    return markup


def fit_book_pictures(book: Book, target: Target, cache: Cache | None = None, prefitted: Fitted | None = None) -> Book:
    """The book with every chapter's pictures fitted for the target and its markup pointing at them."""
    fitted = fit_pictures(book.images, target, cache, prefitted)
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
