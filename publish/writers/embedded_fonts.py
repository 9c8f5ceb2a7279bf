"""The faces an EPUB or the HTML edition embeds: subsets of the book's own characters, in the faces the
stylesheet names (text, bold, code), and a symbol face for the emoji no CJK face has, declared only when
the book needs it. Both writers call `embedded_faces` on the text of their documents."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from publish.cache import Cache
from publish.typefaces import FontFace, characters_missing, lacks_halt
from publish.writers.epub.symbols import SYMBOL_CLASS
from publish.writers.fonts import subset_face
from publish.writers.halt_faces import halted_subset
from publish.writers.look import Look, RoleTexts, book_look, texts_by_role

if TYPE_CHECKING:
    from publish.config import Config

READING_ROLES = ("body", "heading", "code", "sans")
"""The parts of the text a reading edition sets apart (no Latin face: readers set Latin in the text face);
quotations only when [fonts] sans chooses a face for them."""

FONT_MEDIA_TYPE = "application/vnd.ms-opentype"
ALWAYS_IN_FONT = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u3000“”‘’—…·、，。：；！？（）《》〈〉「」『』【】•◦▪"
"""Besides the book's text: ASCII, the common CJK marks, and the list bullets reading systems draw themselves."""


@dataclass(frozen=True)
class EpubFonts:
    """The faces a reading edition embeds: the book's look (publish/writers/look.py) in its edition's region,
    and a symbol face for what no text face has."""

    look: Look
    cache: Cache | None
    symbols: FontFace | None = None
    """Emoji and symbols neither CJK face has: a subset of what the book uses is embedded when there are any."""

    @property
    def regular(self) -> FontFace:
        return self.look.typefaces["body"].regular

    @property
    def bold(self) -> FontFace:
        return self.look.typefaces["body"].bold or self.regular


SYMBOLS_FAMILY_CSS = "Book Symbols"
"""The CSS name of the embedded symbol face; the stylesheets list it after the CJK faces, and the @font-face
rule is added only when the book needs the face (a rule pointing at no file would fail epubcheck)."""


def _symbols_rule(file_name: str, text_family: str) -> str:
    return (
        f'\n@font-face {{\n  font-family: "{SYMBOLS_FAMILY_CSS}";\n  font-weight: normal;\n  font-style: normal;\n'
        f'  src: url("../{file_name}");\n}}\n'
        f'.{SYMBOL_CLASS} {{ font-family: "{SYMBOLS_FAMILY_CSS}", "{text_family}", serif; }}\n'
    )


def _symbol_characters(fonts: EpubFonts, texts: RoleTexts) -> str:
    """What the symbol face must draw: characters neither the text's nor code's faces have, that it has."""
    if fonts.symbols is None:
        return ""
    look = fonts.look
    missing = set(characters_missing(look.builtin["body"].regular, characters_missing(fonts.regular, texts.text)))
    code_face, builtin_code = look.typefaces["code"].regular, look.builtin["code"].regular
    missing |= set(characters_missing(builtin_code, characters_missing(code_face, texts.code)))
    return "".join(sorted(missing - set(characters_missing(fonts.symbols, "".join(missing)))))


def document_texts(markup: str) -> RoleTexts:
    """A reading edition's document's text by the face that sets it, from one parse."""
    return texts_by_role(etree.fromstring(markup.encode("utf-8")))


@dataclass(frozen=True)
class EmbeddedFaces:
    """Which faces to embed with which characters, the symbols drawn from the symbol face, and the
    @font-face rules that declare them."""

    faces: tuple[tuple[str, FontFace, str], ...]
    symbols: str
    stylesheet: str
    cache: Cache | None
    halted: frozenset[FontFace] = frozenset()
    """Faces without `halt`, given one from their marks' ink (writers/halt_faces.py)."""

    def files(self) -> Iterator[tuple[str, str, bytes]]:
        """(id, file name, subset font) of each face, under fonts/ (the stylesheet's `../fonts/`)."""
        for uid, face, characters in self.faces:
            cut = halted_subset if face in self.halted else subset_face
            yield uid, f"fonts/{_file_stem(face)}.otf", cut(face, characters, self.cache)


def _file_stem(face: FontFace) -> str:
    """The face's file name in the book: its family in ASCII letters and digits (a name in Chinese is
    transliterated to a digest), then its weight."""
    letters = re.sub(r"[^A-Za-z0-9]", "", face.family)
    if len(letters) < len(face.family.replace(" ", "")):
        letters = "Face" + hashlib.sha256(face.family.encode()).hexdigest()[:8]
    return f"{letters}-{'Bold' if face.weight >= 600 else 'Regular'}"


def _font_face_rule(face: FontFace) -> str:
    family = face.family.replace('"', '\\"')
    weight = "bold" if face.weight >= 600 else "normal"
    return (
        f'@font-face {{\n  font-family: "{family}";\n  font-weight: {weight};\n  font-style: normal;\n'
        f'  src: url("../fonts/{_file_stem(face)}.otf");\n}}\n'
    )


def _faces_of(fonts: EpubFonts, texts: RoleTexts) -> list[tuple[FontFace, str]]:
    """Each face to embed with its characters: the chosen faces with the text they set, and the built-in
    faces with what the chosen ones lack (the fallback the font lists name)."""
    look = fonts.look
    wanted: dict[FontFace, set[str]] = {}
    roles = [("body", texts.text), ("code", texts.code)]
    if look.chosen("heading") and look.typefaces["heading"].family != look.typefaces["body"].family:
        roles.append(("heading", texts.headings))
    if look.chosen("sans"):
        roles.append(("sans", texts.quotes))
    for role, text in roles:
        typeface, builtin = look.typefaces[role], look.builtin[role]
        faces = typeface.faces() if role != "heading" else (typeface.bold or typeface.regular,)
        quotes = set(look.narrow_quotes(role)) & set(text)  # set full-width, in the built-in face
        for face in faces:
            wanted.setdefault(face, set()).update(set(text) - quotes)
            if typeface.chosen:
                fallback = builtin.bold if face.weight >= 600 and builtin.bold else builtin.regular
                wanted.setdefault(fallback, set()).update(characters_missing(face, text), quotes)
    return [(face, "".join(sorted(characters))) for face, characters in wanted.items() if characters]


def embedded_faces(fonts: EpubFonts, texts: RoleTexts) -> EmbeddedFaces:
    """The faces that draw the edition's text, and their @font-face rules."""
    faces = [(f"font-{index}", face, characters) for index, (face, characters) in enumerate(_faces_of(fonts, texts))]
    stylesheet = "".join(_font_face_rule(face) for _, face, _ in faces)
    symbols = _symbol_characters(fonts, texts)
    if fonts.symbols is not None and symbols:
        faces.append(("font-symbols", fonts.symbols, symbols))
        stylesheet += _symbols_rule(f"fonts/{_file_stem(fonts.symbols)}.otf", fonts.regular.family)
    look = fonts.look
    halted = {face for t in look.typefaces.values() if t.chosen for face in t.faces() if lacks_halt(face)}
    return EmbeddedFaces(tuple(faces), symbols, stylesheet, fonts.cache, frozenset(halted))


def reading_faces(config: Config, language: str, cache: Cache | None) -> tuple[EpubFonts, str]:
    """The faces a reading edition (EPUB, HTML) embeds for a book in `language`, and the CJK region they are
    of: Traditional editions embed the TC (or HK) faces, whose default glyphs are the region's, for the
    reading systems that ignore the language's `locl` forms."""
    from publish.typefaces import find_face
    from publish.writers.fonts import SYMBOL_FAMILY, cjk_region

    region = cjk_region(language)
    return EpubFonts(book_look(config, region), cache, symbols=find_face(SYMBOL_FAMILY, 400)), region
