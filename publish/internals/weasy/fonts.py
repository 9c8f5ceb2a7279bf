"""WeasyPrint's fonts from the inside: one font configuration per process, each font file's bytes copied
once, and fonts shared by the whole book left out of each part (the merge embeds them once). WeasyPrint is imported
on first use, not with this module: the main process loads it only if it lays out a part itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.fonts import FontConfiguration

FontIdentity = tuple[int, int, str]
"""A font file as WeasyPrint sees it: its size, the face index and a digest of its first 64 KiB."""
_IDENTITY_PREFIX = 65536
PLACEHOLDER_FONT_BYTES = 16
"""A shared font's program in a part is a placeholder this long (its first four bytes, OTTO or TrueType's,
kept so that WeasyPrint writes the right font type); writers/pdf/merge.py puts the book's subset in its place."""


def font_identities(path: Path) -> dict[FontIdentity, tuple[Path, int]]:
    """Every face of a font file (all of a collection's), by the identity WeasyPrint's fonts are matched on."""
    with open(path, "rb") as handle:
        head = handle.read(_IDENTITY_PREFIX)
    size = path.stat().st_size
    digest = hashlib.sha256(head).hexdigest()
    faces = int.from_bytes(head[8:12], "big") if head[:4] == b"ttcf" else 1
    return {(size, index, digest): (path, index) for index in range(faces)}


def _identity_of(data: bytes, index: int) -> FontIdentity:
    return (len(data), index, hashlib.sha256(data[:_IDENTITY_PREFIX]).hexdigest())


@cache
def font_configuration() -> FontConfiguration:
    """One WeasyPrint font configuration for every part this process lays out, so that Pango keeps its
    fonts loaded (their faces then live as long as the process)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


_copied: dict[tuple[int, int], bytes] = {}
"""Font bytes by the address and length of their HarfBuzz face: faces of the process's font configuration
live as long as the process, so the key stays theirs."""


@contextmanager
def font_bytes_copied_once() -> Iterator[None]:
    """WeasyPrint copies each font file's bytes out of HarfBuzz for every font of every document (a 25 MB
    collection each time): while this is entered, each loaded face's bytes are copied once per process."""
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.ffi import ffi, harfbuzz

    original = pdf_fonts.get_hb_object_data

    def get_hb_object_data(hb_object: object, ot_color: str | None = None, glyph: int | None = None) -> bytes:
        if ot_color is not None:
            return original(hb_object, ot_color, glyph)
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        key = (int(ffi.cast("uintptr_t", hb_object)), harfbuzz.hb_blob_get_length(blob))
        harfbuzz.hb_blob_destroy(blob)
        if key not in _copied:
            _copied[key] = original(hb_object)
        return _copied[key]

    original_init = pdf_fonts.Font.__init__

    def font_init(font: object, *args: object, **kwargs: object) -> None:
        # Only here: a face Pango loaded lives in the font configuration; faces WeasyPrint makes while
        # subsetting are freed, and their addresses reused, so they are never looked up by address.
        pdf_fonts.get_hb_object_data = get_hb_object_data
        try:
            original_init(font, *args, **kwargs)
        finally:
            pdf_fonts.get_hb_object_data = original

    pdf_fonts.Font.__init__ = font_init
    try:
        yield
    finally:
        pdf_fonts.Font.__init__ = original_init


def _outline_format(data: bytes, index: int) -> bytes:
    """The sfnt version of one face (OTTO for CFF outlines), looked up in a collection's directory."""
    if data[:4] == b"ttcf":
        offset = int.from_bytes(data[12 + 4 * index : 16 + 4 * index], "big")
        return data[offset : offset + 4]
    return data[:4]


@contextmanager
def shared_fonts_left_out(
    identities: frozenset[FontIdentity], found: dict[str, tuple[FontIdentity, list[int]]]
) -> Iterator[None]:
    """While a part is written, WeasyPrint's font clean-up records the glyphs of each shared font (in
    `found`, by the subset tag of the font's name) and leaves a placeholder where it would cut a subset."""
    from weasyprint.pdf import fonts as pdf_fonts

    original = pdf_fonts.Font.clean

    def clean(font: Font, to_unicode: dict, hinting: bool) -> None:
        identity = _identity_of(font.file_content, font.index) if identities else None
        if identity is None or identity not in identities or font.bitmap:
            original(font, to_unicode, hinting)
            return
        found[font.hash] = (identity, sorted({0, *to_unicode}))
        font.file_content = _outline_format(font.file_content, font.index).ljust(PLACEHOLDER_FONT_BYTES, b"\0")

    pdf_fonts.Font.clean = clean
    try:
        yield
    finally:
        pdf_fonts.Font.clean = original
