"""A `halt` feature for faces that have none (LXGW WenKai has no positioning table at all), made from the
face's own marks: what the typography's `.halt` marks and the PDF's line-end compression need to set a
full-width mark in half an em, as they do in Noto CJK. Apart from writers/fonts.py so that the plain subsets'
cache keys do not depend on the typography's code (which says which marks are closing and opening)."""

from __future__ import annotations

import logging
from pathlib import Path

from publish.cache import Cache, code_digest, entry_key
from publish.typefaces import FontFace
from publish.typography.slots import CLOSING, OPENING
from publish.writers.fonts import cache_key, subset_face

log = logging.getLogger(__name__)


def with_halt(data: bytes) -> bytes:
    """The font with a `halt` feature (clreq's half-width marks) made from its own marks' ink, for a face that
    has no positioning table: a closing mark whose ink sits in the em's first half loses the second half, an
    opening mark the first, a centred mark is moved to the middle of its half em. The typography's `.halt`
    marks and the PDF's line-end compression then work in that face as they do in Noto CJK."""
    import io

    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

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
    try:
        addOpenTypeFeaturesFromString(font, features + "\n} halt;\n", tables=["GPOS"])
        out = io.BytesIO()
        font.save(out)
    except Exception as exc:  # a face fontTools cannot extend is used as it is
        log.warning(
            "could not give %s a halt feature (%s): its marks stay full width", font["name"].getDebugName(1), exc
        )
        return data
    return out.getvalue()


def halted_subset(face: FontFace, characters: str, cache: Cache | None) -> bytes:
    """A subset of a face without `halt` (subset_face), given one by with_halt; cached as such."""
    key = entry_key(code_digest(__name__), cache_key(face.path, face.index, "".join(sorted(set(characters)))))
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
