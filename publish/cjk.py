"""Character classes of Chinese text, shared by the Markdown plugins and the typography stage."""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
KANA_BOPOMOFO = "\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf"

HAN_CHAR = re.compile(f"[{HAN}]")
"""A Chinese ideograph."""

CJK_CHAR = re.compile(f"[{HAN}{CJK_PUNCTUATION}{KANA_BOPOMOFO}]")
"""Any character that belongs to Chinese running text: ideographs, full-width marks, curly quotes."""

NOT_IN_URL = re.compile(f"[{HAN}{KANA_BOPOMOFO}\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026\u2014]")
"""A character that ends a bare URL glued to Chinese text (`见https://a.org/x，然后`)."""

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters that XML 1.0 does not allow in a document."""

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
"""What a title, a description or a book setting may not hold: XML's forbidden characters, and the control
characters XML allows but no printed line shows (carriage return, DEL); tab and line feed are let through."""


def is_cjk(char: str) -> bool:
    return bool(char) and CJK_CHAR.match(char) is not None


LATIN_FACE_RANGES = ((0x21, 0x7E), (0xA1, 0xAC), (0xAE, 0xB6), (0xB8, 0x24F), (0x2010, 0x2011))
"""What the PDF sets in the Latin face wherever it stands (an `@font-face` `unicode-range`, writers/look.py):
printable ASCII but the space, Latin-1 and Latin Extended but the no-break space, the soft hyphen and the
middle dot, and the hyphens (hyphenation adds U+2010: in the Chinese face it is a whole em wide, and `（el‐`
no longer fitted where `（elegant-r）` had to be broken). Spaces stay in the Chinese face, whose metrics make
the line's strut (WeasyPrint measures a space): with the Latin face's space every line of a Termes book came
out 0.6 pt taller. Curly quotes, dashes and the middle dot (`·`, the separator of a foreign name's parts) are
not here: in Chinese text they are full-width marks of the Chinese face."""


LATIN_FACE_CLASS = "".join(f"{re.escape(chr(start))}-{re.escape(chr(end))}" for start, end in LATIN_FACE_RANGES)
"""LATIN_FACE_RANGES as the inside of a regular expression's character class."""
LATIN_FACE_CHAR = re.compile(f"[{LATIN_FACE_CLASS}]")
"""A character the PDF's font fallback sets in the Latin face."""


def in_latin_face(char: str) -> bool:
    """Whether the PDF's font fallback sets this character in the Latin face (LATIN_FACE_RANGES)."""
    return LATIN_FACE_CHAR.match(char) is not None
