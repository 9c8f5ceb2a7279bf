"""Find the CJK faces through fontconfig and cut subsets of them for the EPUB, cached by character set."""

from __future__ import annotations

import logging
from pathlib import Path

from publish.cache import Cache, code_digest, entry_key
from publish.errors import PublishError
from publish.typefaces import FontFace

log = logging.getLogger(__name__)

SERIF_FAMILY = "Noto Serif CJK SC"
"""Named by family: pointing at Debian's .ttc by path would load its first face, the Japanese one."""

SANS_FAMILY = "Noto Sans CJK SC"
"""Used where a style asks for sans-serif or monospace; its collection also holds Noto Sans Mono CJK."""

MONO_FAMILY = "Noto Sans Mono CJK SC"
"""Code's face in the EPUB (embedded as a subset of the characters code holds)."""

SYMBOL_FAMILY = "Symbola"
"""Emoji and symbols the CJK faces lack (🌏 🔧 ☯ …), from Debian's fonts-symbola: outlines in one colour, which
every reading system draws (colour-bitmap emoji faces are not drawn by Kindle or Apple Books)."""

LATIN_SERIF_FAMILY = "TeX Gyre Termes"
"""The PDF's face for Latin runs (styles/pdf.css), from Debian's fonts-texgyre."""

LATIN_SANS_FAMILY = "TeX Gyre Heros"
"""The PDF's face for Latin runs in sans-serif settings (quotations, issue descriptions)."""


def cjk_region(language: str) -> str:
    """The Noto CJK region whose faces draw this language's text by default: TC for Taiwan's Traditional
    Chinese, HK for Hong Kong's, SC otherwise. Engines that ignore the `locl` feature (MuPDF, older e-readers)
    draw each face's default forms, so Traditional text in an SC face gets mainland glyphs and punctuation
    positions (centred marks in Taiwan, bottom-left on the mainland)."""
    tag = language.lower()
    if tag.endswith("-hk"):
        return "HK"
    if tag.startswith(("zh-hant", "zh-tw", "zh-mo")):
        return "TC"
    return "SC"


def in_region(family: str, region: str) -> str:
    """A Noto CJK SC family name moved to another region ("Noto Serif CJK SC" → "Noto Serif CJK TC")."""
    return family.removesuffix(" SC") + f" {region}" if family.endswith(" CJK SC") else family


def stylesheet_in_region(stylesheet: str, region: str) -> str:
    """The stylesheet with every Noto CJK SC family, and the embedded subsets' files, in the given region's."""
    if region == "SC":
        return stylesheet
    return stylesheet.replace(' CJK SC"', f' CJK {region}"').replace("CJKSC-", f"CJK{region}-")


_EXTRA_FEATURES = ("halt", "vhal", "palt", "vpal", "vert", "vrt2", "locl", "fwid", "hwid", "pwid", "ruby")
"""Kept besides HarfBuzz's default feature list: the CJK ones the typography and the vertical edition use."""


def cache_key(path: Path, index: int, wanted: str) -> str:
    """A subset's key in the cache: the face file as it is now, the subsetting code and library, what is kept."""
    stat = path.stat()
    return entry_key(code_digest(__name__), str(path), str(index), str(stat.st_size), str(stat.st_mtime_ns), wanted)


def subset_face(face: FontFace, characters: str, cache: Cache | None) -> bytes:
    """An OpenType (CFF) subset holding the given characters; reused from the cache when it holds it.

    Cut with HarfBuzz's subsetter (uharfbuzz, which bundles its own HarfBuzz): a 2,000-character subset
    of Noto Serif CJK takes milliseconds, where fontTools takes seconds."""
    import uharfbuzz as hb

    characters = "".join(sorted(set(characters)))
    request = hb.SubsetInput()
    request.unicode_set.update(ord(char) for char in characters)
    request.layout_feature_tag_set.update(_tag(feature) for feature in _EXTRA_FEATURES)
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    return _subset(face.path, face.index, characters, request, cache)


def _subset(path: Path, index: int, wanted: str, request: object, cache: Cache | None) -> bytes:
    """Cut the subset HarfBuzz is asked for, or take it from the cache."""
    import uharfbuzz as hb

    key = cache_key(path, index, wanted)
    found = cache.get("fonts", key) if cache is not None else None
    if found is not None:
        return found
    subset_font = hb.subset(hb.Face(hb.Blob.from_file_path(str(path)), index), request)
    if subset_font is None:
        raise PublishError(f"HarfBuzz could not subset {path} (face {index})")
    data = bytes(subset_font.blob.data)
    if cache is not None:
        cache.put("fonts", key, data)
    return data


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def glyph_subset(path: Path, index: int, glyphs: list[int], cache: Cache | None) -> bytes:
    """A subset of one face keeping the given glyph ids at their places, as WeasyPrint's own subsets do,
    so that one program serves the text of every separately laid-out part of the PDF."""
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.glyph_set.update(glyphs)
    request.flags = (
        hb.SubsetFlags.RETAIN_GIDS
        | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
        | hb.SubsetFlags.DESUBROUTINIZE
        | hb.SubsetFlags.NO_HINTING
        | hb.SubsetFlags.NOTDEF_OUTLINE
        | hb.SubsetFlags.NO_LAYOUT_CLOSURE
    )
    for table in ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG "):
        request.drop_table_tag_set.add(_tag(table))
    return _subset(path, index, repr(glyphs), request, cache)
