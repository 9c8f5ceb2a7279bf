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


def _cache_key(path: Path, index: int, wanted: str) -> str:
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

    key = _cache_key(path, index, wanted)
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


def with_halt(data: bytes) -> bytes:
    """The font with a `halt` feature (clreq's half-width marks) made from its own marks' ink, for a face that
    has no positioning table: a closing mark whose ink sits in the em's first half loses the second half, an
    opening mark the first, a centred mark is moved to the middle of its half em. The typography's `.halt`
    marks and the PDF's line-end compression then work in that face as they do in Noto CJK."""
    import io

    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    from publish.typography.slots import CLOSING, OPENING

    font = TTFont(io.BytesIO(data))
    if "GPOS" in font:
        return data
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    rules = []
    for char in CLOSING + OPENING:
        name = cmap.get(ord(char))
        advance = font["hmtx"][name][0] if name else 0
        if not name or advance < 0.9 * font["head"].unitsPerEm:
            continue
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is None:
            continue
        left, _, right, _ = pen.bounds
        half = advance // 2
        if right <= advance * 0.55:
            placement = 0
        elif left >= advance * 0.45:
            placement = -half
        elif right - left <= half:
            placement = round(half / 2 - (left + right) / 2)
        else:
            continue
        rules.append(f"  pos \\{name} <{placement} 0 {-half} 0>;")
    if not rules:
        return data
    features = "languagesystem DFLT dflt;\nlanguagesystem hani dflt;\nfeature halt {\n" + "\n".join(rules)
    addOpenTypeFeaturesFromString(font, features + "\n} halt;\n", tables=["GPOS"])
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def halted_subset(face: FontFace, characters: str, cache: Cache | None) -> bytes:
    """A subset of a face without `halt` (subset_face), given one by with_halt; cached as such."""
    key = _cache_key(face.path, face.index, "halt:" + "".join(sorted(set(characters))))
    found = cache.get("fonts", key) if cache is not None else None
    if found is None:
        found = with_halt(subset_face(face, characters, cache))
        if cache is not None:
            cache.put("fonts", key, found)
    return found


COMMON_CHARACTERS = "".join(
    [chr(c) for c in range(0x20, 0x250)]
    + [chr(c) for c in range(0x2000, 0x2070)]
    + [chr(c) for c in range(0x3000, 0x3040)]
    + [chr(c) for c in range(0xFF00, 0xFFF0)]
    + [
        bytes([high, low]).decode("gb2312")
        for high in range(0xB0, 0xF8)
        for low in range(0xA1, 0xFF)
        if not (high == 0xD7 and low >= 0xFA)
    ]
)
"""What the PDF's copy of a face given `halt` holds: Latin, punctuation, the CJK marks and full-width forms,
and the 6,763 hanzi of GB 2312. The rarer characters a book uses are drawn from the face itself, after it
in the font list; the set does not depend on the book, so a new issue does not lay out every other again."""


_derived_folder: list[Path] = []


def halted_face_file(face: FontFace, cache: Cache | None) -> Path:
    """A file holding the face's common characters with `halt` (with_halt), for the PDF's @font-face rule:
    made once a process (and kept in the cache between builds), removed when the process ends."""
    import atexit
    import shutil
    import tempfile

    if not _derived_folder:
        _derived_folder.append(Path(tempfile.mkdtemp(prefix="publish-faces-")))
        atexit.register(shutil.rmtree, _derived_folder[0], True)
    stat = face.path.stat()
    target = _derived_folder[0] / f"{face.path.stem}-{face.index}-{stat.st_size}-{stat.st_mtime_ns}.ttf"
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(halted_subset(face, COMMON_CHARACTERS, cache))
        partial.replace(target)
    return target


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
