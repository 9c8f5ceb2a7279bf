"""The faces an EPUB or the HTML edition embeds: subsets of the book's own characters, in the faces the
stylesheet names (text, bold, code), and a symbol face for the emoji no CJK face has, declared only when
the book needs it. Both writers call `embedded_faces` on the text of their documents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from publish.cache import Cache
from publish.writers.epub.symbols import SYMBOL_CLASS
from publish.writers.fonts import FontFace, characters_missing, subset_face

FONT_MEDIA_TYPE = "application/vnd.ms-opentype"
ALWAYS_IN_FONT = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u3000“”‘’—…·、，。：；！？（）《》〈〉「」『』【】•◦▪"
"""Besides the book's text: ASCII, the common CJK marks, and the list bullets reading systems draw themselves."""


@dataclass(frozen=True)
class EpubFonts:
    regular: FontFace
    bold: FontFace
    cache: Cache | None
    mono: FontFace | None = None
    """Code's face, embedded too: a reading system with no CJK fonts of its own (many Android readers,
    MuPDF-based apps) would otherwise draw the Chinese in code, and a directory tree's ├│└, as boxes."""
    symbols: FontFace | None = None
    """Emoji and symbols neither CJK face has: a subset of what the book uses is embedded when there are any."""


SYMBOLS_FAMILY_CSS = "Book Symbols"
"""The CSS name of the embedded symbol face; the stylesheets list it after the CJK faces, and the @font-face
rule is added only when the book needs the face (a rule pointing at no file would fail epubcheck)."""


def _symbols_rule(file_name: str, text_family: str) -> str:
    return (
        f'\n@font-face {{\n  font-family: "{SYMBOLS_FAMILY_CSS}";\n  font-weight: normal;\n  font-style: normal;\n'
        f'  src: url("../{file_name}");\n}}\n'
        f'.{SYMBOL_CLASS} {{ font-family: "{SYMBOLS_FAMILY_CSS}", "{text_family}", serif; }}\n'
    )


def _symbol_characters(fonts: EpubFonts, text: str, code_text: str) -> str:
    """What the symbol face must draw: characters neither the text's nor code's face has, that it has."""
    if fonts.symbols is None:
        return ""
    missing = characters_missing(fonts.regular, text)
    if fonts.mono is not None:
        missing += characters_missing(fonts.mono, code_text)
    return "".join(sorted(set(missing) - set(characters_missing(fonts.symbols, missing))))


_CODE_TAGS = {f"{{http://www.w3.org/1999/xhtml}}{tag}" for tag in ("code", "kbd", "samp", "pre")}


def document_texts(markup: str) -> tuple[str, str]:
    """The document's whole text, and the characters set in code's face (code, kbd, samp, pre), from one parse."""
    root = etree.fromstring(markup.encode("utf-8"))
    code = "".join(text for element in root.iter(*_CODE_TAGS) for text in element.itertext())
    return "".join(root.itertext()), code


@dataclass(frozen=True)
class EmbeddedFaces:
    """Which faces to embed with which characters, the symbols drawn from the symbol face, and the CSS that
    declares that face (empty when the book has no such symbol)."""

    faces: tuple[tuple[str, FontFace, str], ...]
    symbols: str
    stylesheet: str
    cache: Cache | None

    def files(self) -> Iterator[tuple[str, str, bytes]]:
        """(id, file name, subset font) of each face, under fonts/ (the stylesheet's `../fonts/`)."""
        for uid, face, characters in self.faces:
            yield uid, f"fonts/{face.file_stem}.otf", subset_face(face, characters, self.cache)


def embedded_faces(fonts: EpubFonts, text: str, code_text: str) -> EmbeddedFaces:
    """The faces that draw `text` (and `code_text`, set in code's face)."""
    faces = [("font-400", fonts.regular, text), ("font-700", fonts.bold, text)]
    if fonts.mono is not None:
        faces.append(("font-mono", fonts.mono, code_text))
    symbols = _symbol_characters(fonts, text, code_text)
    stylesheet = ""
    if fonts.symbols is not None and symbols:
        faces.append(("font-symbols", fonts.symbols, symbols))
        stylesheet = _symbols_rule(f"fonts/{fonts.symbols.file_stem}.otf", fonts.regular.family)
    return EmbeddedFaces(tuple(faces), symbols, stylesheet, fonts.cache)


def reading_faces(language: str, cache: Cache | None) -> tuple[EpubFonts, str]:
    """The faces a reading edition (EPUB, HTML) embeds for a book in `language`, and the CJK region they are
    of: Traditional editions embed the TC (or HK) faces, whose default glyphs are the region's, for the
    reading systems that ignore the language's `locl` forms."""
    from publish.writers.fonts import MONO_FAMILY, SERIF_FAMILY, SYMBOL_FAMILY, cjk_region, find_face, in_region

    region = cjk_region(language)
    fonts = EpubFonts(
        regular=find_face(in_region(SERIF_FAMILY, region), weight=400),
        bold=find_face(in_region(SERIF_FAMILY, region), weight=700),
        cache=cache,
        mono=find_face(in_region(MONO_FAMILY, region), 400),
        symbols=find_face(SYMBOL_FAMILY, 400),
    )
    return fonts, region
