"""A book's own look: the faces `[fonts]` chooses for each part of the text and the `[style]` tokens, as the
values of the CSS custom properties the built-in stylesheets read (`var(--font-body)`, `var(--accent)`).

The values are written into the stylesheets here rather than left to the engine: Kindle, Adobe's engine and
older Kobos ignore custom properties. A chosen face is always followed by the built-in one in its font list,
so a character it lacks is drawn from Noto CJK (embedded like the rest) rather than from a system face; those
characters are listed as warnings with the first place each occurs (`coverage_warnings`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from publish.cache import Cache
from publish.cjk import LATIN_FACE_RANGES
from publish.config import Config, FontSettings, StyleSettings, css_colour
from publish.errors import Diagnostic, Severity
from publish.model import Book
from publish.typefaces import (
    QUOTES,
    FontFace,
    characters_missing,
    choose_face,
    face_licence,
    find_face,
    lacks_halt,
    narrow_quotes,
)
from publish.writers.fonts import (
    LATIN_SANS_FAMILY,
    LATIN_SERIF_FAMILY,
    MONO_FAMILY,
    SANS_FAMILY,
    SERIF_FAMILY,
    in_region,
    subset_face,
)
from publish.writers.halt_faces import halted_face_file
from publish.xhtml import classes, local_name, parse_body

ROLES = ("body", "heading", "sans", "code", "latin")
_DEFAULT_FAMILY = {
    "body": SERIF_FAMILY,
    "heading": SERIF_FAMILY,
    "sans": SANS_FAMILY,
    "code": MONO_FAMILY,
    "latin": LATIN_SERIF_FAMILY,
}
ROLE_LABELS = {"body": "正文", "heading": "标题", "sans": "引文", "code": "代码", "latin": "西文"}
"""How the colophon names each face's use."""

QUOTES_FAMILY = "Book Quotes"
"""The PDF's name for the built-in face's quotation marks, first in the font lists of faces that draw them narrow."""

PROJECT_FONT_URL = "file:///book/fonts/"
"""Where the PDF's stylesheet finds a face from the project's fonts/ (internals/weasy/fetch.py serves it)."""

HALT_SUFFIX = "Halt"
"""After a family's name, the PDF's name for its copy given a `halt` feature."""


@dataclass(frozen=True)
class Typeface:
    """The faces of one part of the text: its regular, its bold (None: the family has none), and whether
    book.toml chose it (else it is the built-in face)."""

    role: str
    regular: FontFace
    bold: FontFace | None
    chosen: bool

    @property
    def family(self) -> str:
        return self.regular.family

    def faces(self) -> tuple[FontFace, ...]:
        return (self.regular, self.bold) if self.bold is not None else (self.regular,)


def _css_family(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Look:
    """The faces and tokens of one book in one region (SC, TC, HK), and what the editor should hear of them."""

    typefaces: Mapping[str, Typeface]
    builtin: Mapping[str, Typeface]
    """The built-in face of each part of the text: the fallback for what a chosen face lacks."""
    tokens: Mapping[str, str]
    warnings: tuple[Diagnostic, ...]

    def font_list(self, role: str) -> str:
        """The CSS font list of a part of the text: the chosen face, then the built-in one."""
        families = [self.typefaces[role].family, self.builtin[role].family]
        if role == "heading":
            families += [self.typefaces["body"].family, self.builtin["body"].family]
        return ", ".join(_css_family(f) for f in dict.fromkeys(families))

    def chosen(self, role: str) -> bool:
        return self.typefaces[role].chosen

    def narrow_quotes(self, role: str) -> str:
        """The quotation marks a chosen face draws narrow: the book sets them in the built-in face."""
        return narrow_quotes(self.typefaces[role].regular) if self.chosen(role) else ""

    def stylesheet(self, css: str, prefixes: Mapping[str, str] | None = None) -> str:
        """The stylesheet with every token this look sets written in (`var(--accent)` → `#8b2500`); the PDF's
        `prefixes` go before a part of the text's font list (PdfFonts)."""
        tokens = dict(self.tokens)
        for role, prefix in (prefixes or {}).items():
            tokens[f"font-{role}"] = f"{prefix}, {tokens[f'font-{role}']}"
        return _TOKEN.sub(lambda m: tokens.get(m[1], m[0]), css)

    def system_faces(self) -> tuple[FontFace, ...]:
        """Every face the PDF may draw with, chosen and built-in (embedded once for the whole book)."""
        faces = [face for group in (self.typefaces, self.builtin) for t in group.values() for face in t.faces()]
        return tuple(dict.fromkeys(faces))

    def pdf_fonts(self, cache: Cache | None) -> PdfFonts:
        """The PDF's own @font-face rules and the files they load: the project's font files (fontconfig does
        not know them), a copy with `halt` of each chosen face that has none (writers/halt_faces.py),
        and the built-in face's quotation marks where a chosen face draws them narrow."""
        rules: list[str] = []
        files: dict[str, Path] = {}
        prefixes: dict[str, list[str]] = {}
        for role, typeface in self.typefaces.items():
            if not typeface.chosen:
                continue
            for face in typeface.faces():
                if face.in_project:
                    files[PROJECT_FONT_URL + face.path.name] = face.path
                    rules.append(_face_rule(face.family, face.weight, PROJECT_FONT_URL + face.path.name))
                if lacks_halt(face):
                    derived = halted_face_file(face, cache)
                    url, family = PROJECT_FONT_URL + "halt/" + derived.name, f"{face.family} {HALT_SUFFIX}"
                    files[url] = derived
                    rules.append(_face_rule(family, face.weight, url))
                    prefixes.setdefault(role, []).append(_css_family(family))
        served: dict[str, bytes] = {}
        for family, faces, roles in (
            (LATIN_FALLBACK_FAMILY, self.typefaces["latin"].faces(), ("body", "heading")),
            (LATIN_SANS_FALLBACK_FAMILY, _latin_sans_faces(), ("sans",)),
        ):
            for face in faces:
                if face.index == 0:
                    url = f"{PROJECT_FONT_URL}latin/{face.path.name}"
                    files[url] = face.path
                else:  # a face in a collection: @font-face cannot name it, a subset of its Latin can stand alone
                    url = f"fonts/book-latin-{face.weight}-{face.path.stem}.otf"
                    served[url] = subset_face(face, LATIN_FACE_CHARACTERS, cache)
                rules.append(_face_rule(family, face.weight, url, LATIN_FACE_UNICODE_RANGE))
            for role in roles:
                prefixes.setdefault(role, []).insert(0, _css_family(family))
        if any(self.narrow_quotes(role) for role in ("body", "heading", "sans")):
            for face in self.builtin["body"].faces():
                href = f"fonts/book-quotes-{face.weight}.otf"
                served[href] = subset_face(face, QUOTES, cache)
                rules.append(_face_rule(QUOTES_FAMILY, face.weight, href, "U+2018-2019, U+201C-201D"))
            for role in ("body", "heading", "sans"):
                if self.narrow_quotes(role):
                    prefixes.setdefault(role, []).insert(0, _css_family(QUOTES_FAMILY))
        return PdfFonts(
            "\n".join(dict.fromkeys(rules)),
            files,
            served,
            {role: ", ".join(dict.fromkeys(families)) for role, families in prefixes.items()},
        )

    def colophon_faces(self, roles: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(use, family, licence) of each distinct face these parts of the text are set in, for the colophon."""
        listed: dict[str, tuple[str, str, str]] = {}
        for role in roles:
            typeface = self.typefaces[role]
            if typeface.family in listed:
                continue
            listed[typeface.family] = (ROLE_LABELS[role], typeface.family, face_licence(typeface.regular))
        return list(listed.values())


_TOKEN = re.compile(r"var\(\s*--([a-z-]+)\s*\)")


LATIN_FALLBACK_FAMILY = "Book Latin"
LATIN_SANS_FALLBACK_FAMILY = "Book Latin Sans"
"""The PDF's Latin by font fallback: the Latin face (serif, and its sans twin where the Chinese is sans) under a
name of its own whose `unicode-range` is publish/cjk.py's LATIN_FACE_RANGES, first in the font lists, so that
Latin in Chinese text needs no span of its own (typography/spacing.py)."""
LATIN_FACE_UNICODE_RANGE = ", ".join(f"U+{start:X}-{end:X}" for start, end in LATIN_FACE_RANGES)
LATIN_FACE_CHARACTERS = "".join(chr(code) for start, end in LATIN_FACE_RANGES for code in range(start, end + 1))


def _latin_sans_faces() -> tuple[FontFace, ...]:
    return tuple(find_face(LATIN_SANS_FAMILY, weight) for weight in (400, 700))


@dataclass(frozen=True)
class PdfFonts:
    """What the PDF loads besides the faces fontconfig finds (Look.pdf_fonts)."""

    rules: str
    files: Mapping[str, Path]
    """Font files by the URL the rules name (internals/weasy/fetch.py serves them)."""
    served: Mapping[str, bytes]
    """Small faces by their path under the book's base URL, sent with every part."""
    prefixes: Mapping[str, str]
    """Families to put before a part of the text's font list."""


def _face_rule(family: str, weight: int, url: str, unicode_range: str = "") -> str:
    extra = f" unicode-range: {unicode_range};" if unicode_range else ""
    return f'@font-face {{ font-family: {_css_family(family)}; font-weight: {weight}; src: url("{url}");{extra} }}'


EXTRA_STYLESHEETS = ("extra.css",)
"""The project's own additions (styles/ beside book.toml), loaded after the built-in sheets; each writer adds
its own as well (extra-epub.css, extra-pdf.css)."""


def book_stylesheets(
    config: Config, look: Look, names: list[str], extra: tuple[str, ...] = (), *, pdf: PdfFonts | None = None
) -> list[str]:
    """The named built-in (or the project's own copies of) stylesheets with the look's tokens written in, then
    the project's extra.css and the writer's `extra` sheets where the project has them, tokens written in too."""
    from publish.writers import read_stylesheets

    own = config.project_root / "styles"
    extras = [name for name in (*EXTRA_STYLESHEETS, *extra) if (own / name).is_file()]
    texts = [
        look.stylesheet(text, pdf.prefixes if pdf else None) for text in read_stylesheets(config, [*names, *extras])
    ]
    return [pdf.rules, *texts] if pdf is not None and pdf.rules else texts


def outdated_copy_warnings(config: Config) -> tuple[Diagnostic, ...]:
    """A project's own copy of common.css made before the tokens existed ignores [fonts] and [style]: say so
    rather than leave the editor wondering why the book looks the same."""
    copy = config.project_root / "styles" / "common.css"
    asked = (
        config.section("fonts", FontSettings) != FontSettings()
        or config.section("style", StyleSettings) != StyleSettings()
    )
    if not asked or not copy.is_file() or "var(--font-body)" in copy.read_text(encoding="utf-8", errors="replace"):
        return ()
    return (
        Diagnostic(
            copy,
            None,
            "style",
            "this copy of common.css reads none of the book's tokens: [fonts] and [style] are not applied where "
            "it sets the look",
            "delete the project's copies of the built-in stylesheets and put your changes in styles/extra.css",
            Severity.WARNING,
        ),
    )


def _where(config: _Settings, key: str) -> tuple[Path, int | None, str]:
    from publish.settings import section_key_line

    path = config.config_path or Path("book.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return path, None, key
    return path, section_key_line(text, *key.split(".", 1)), key


def _sibling(face_value: str, config: _Settings, region: str, weight: int) -> FontFace | None:
    """The family's Traditional sibling for a TC or HK edition (`… SC` → `… TC`, `Family` → `Family TC`)."""
    from publish.typefaces import FaceProblem

    candidates = [face_value.removesuffix(" SC") + f" {region}", face_value + f" {region}"]
    if region == "HK":
        candidates += [face_value.removesuffix(" SC") + " TC", face_value + " TC"]
    for candidate in dict.fromkeys(candidates):
        if candidate == face_value:
            continue
        try:
            found = choose_face(candidate, config.project_root, weight)
        except FaceProblem:
            continue
        if found is not None:
            return found
    return None


def _typeface(role: str, value: str, config: _Settings, region: str, warnings: list[Diagnostic]) -> Typeface:
    """The chosen faces of one part of the text (checked when book.toml was read), in the edition's region."""
    regular = choose_face(value, config.project_root, 400)
    bold = choose_face(value, config.project_root, 700)
    assert regular is not None  # config.py refused a family without a regular face
    if region != "SC":
        sibling = _sibling(regular.family, config, region, 400)
        if sibling is not None:
            regular, bold = sibling, _sibling(regular.family, config, region, 700) or bold
        else:
            warnings.append(
                Diagnostic(
                    *_where(config, f"fonts.{role}"),
                    f"{regular.family} has no {region} face installed: the Traditional edition is drawn in its "
                    "own glyph forms and punctuation positions",
                    f"install its {region} sibling (e.g. “{regular.family} {region}”), or leave [fonts] {role} "
                    "empty for Noto CJK's",
                    Severity.WARNING,
                )
            )
    if bold is None and role in ("body", "heading"):
        warnings.append(
            Diagnostic(
                *_where(config, f"fonts.{role}"),
                f"{regular.family} has no bold face: bold text would be thickened by each engine in its own way",
                "install the family's bold, or choose a family with one",
                Severity.WARNING,
            )
        )
    return Typeface(role, regular, bold, chosen=True)


def _builtin(role: str, region: str) -> Typeface:
    family = in_region(_DEFAULT_FAMILY[role], region)
    bold = find_face(family, 700) if role != "code" else None
    return Typeface(role, find_face(family, 400), bold, chosen=False)


def book_look(config: Config, region: str) -> Look:
    """The look book.toml asks for, in one region's faces (Traditional editions take the TC or HK ones)."""
    fonts, style = config.section("fonts", FontSettings), config.section("style", StyleSettings)
    return _look(_Settings(config.project_root, config.config_path), fonts, style, region)


class _Settings(NamedTuple):
    """Where the project and its book.toml are: all the look needs of the settings besides its sections
    (and hashable, so that a look is found once per build and edition)."""

    project_root: Path
    config_path: Path | None


@functools.lru_cache(maxsize=8)
def _look(config: _Settings, fonts: FontSettings, style: StyleSettings, region: str) -> Look:
    warnings: list[Diagnostic] = []
    builtin = {role: _builtin(role, region) for role in ROLES}
    typefaces = dict(builtin)
    for role in ROLES:
        value = getattr(fonts, role) or (fonts.body if role == "heading" else "")
        if value:
            typefaces[role] = _typeface(role, value, config, region, warnings if getattr(fonts, role) else [])
    look = Look(typefaces, builtin, {}, ())
    return Look(typefaces, builtin, _tokens(look, style), tuple(warnings))


def _tokens(look: Look, style: StyleSettings) -> dict[str, str]:
    """Every custom property the built-in stylesheets read, with the book's value or the built-in one."""
    sans_in_epub = "sans" if look.chosen("sans") else "body"
    return {
        "font-body": look.font_list("body"),
        "font-body-plain": look.font_list("body"),  # never given the PDF's prefixes (the Latin by fallback)
        "font-heading": look.font_list("heading"),
        "font-sans": look.font_list("sans"),
        "font-epub-sans": look.font_list(sans_in_epub),
        "font-code": look.font_list("code"),
        "font-latin": _css_family(look.typefaces["latin"].family),
        "font-latin-sans": _css_family(LATIN_SANS_FAMILY),
        "accent": css_colour(style.accent) or "#7a5c2e",
        "accent-cmyk": _cmyk(css_colour(style.accent)) if style.accent else "device-cmyk(0 0.25 0.6 0.52)",
        "accent-rule": css_colour(style.accent) or "#c4a05c",
        "accent-rule-cmyk": _cmyk(css_colour(style.accent)) if style.accent else "device-cmyk(0 0.18 0.53 0.23)",
        "leading": f"{style.leading:g}" if style.leading else "1.75",
        "pdf-leading": f"{style.leading:g}" if style.leading else "1.8",
        "paragraph-indent": f"{style.paragraph_indent:g}em" if style.paragraph_indent >= 0 else "2em",
        "heading-align": style.heading_align or "left",
    }


def _cmyk(hex_colour: str) -> str:
    """The colour as a press's four inks (a plain conversion: no ink limit is near for a text colour)."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    black = 1 - max(red, green, blue)
    if black >= 1:
        return "device-cmyk(0 0 0 1)"
    cyan, magenta, yellow = ((1 - c - black) / (1 - black) for c in (red, green, blue))
    return f"device-cmyk({cyan:.3f} {magenta:.3f} {yellow:.3f} {black:.3f})"


@dataclass(frozen=True)
class RoleTexts:
    """The characters of a text by the face that sets them: all of it in the body's, and what of it is in
    headings', quotations' (blockquotes, issue descriptions) and code's."""

    text: str
    code: str
    headings: str = ""
    quotes: str = ""

    @staticmethod
    def joined(parts: list[RoleTexts]) -> RoleTexts:
        return RoleTexts(*("".join(getattr(part, name) for part in parts) for name in RoleTexts.__annotations__))

    def of(self, role: str) -> str:
        return {"body": self.text, "heading": self.headings, "sans": self.quotes, "code": self.code}[role]


def texts_by_role(root: etree._Element) -> RoleTexts:
    """A parsed document's (or chapter body's) text by the face that sets it, namespaced or not."""

    def within(*tags: str) -> str:
        return "".join(text for element in root.iter(*(f"{{*}}{tag}" for tag in tags)) for text in element.itertext())

    quotes = "".join(
        text
        for element in root.iter("{*}blockquote", "{*}p")
        if local_name(element) == "blockquote" or "issue-description" in classes(element)
        for text in element.itertext()
    )
    headings = within("h1", "h2", "h3", "h4", "h5", "h6")
    return RoleTexts("".join(root.itertext()), within("code", "kbd", "samp", "pre"), headings, quotes)


NAMED_PER_FACE = 20
"""Missing characters named one by one for each face; the rest are counted in one more warning (a face without
Chinese at all, chosen by mistake, would otherwise give thousands)."""


def coverage_warnings(look: Look, book: Book) -> tuple[Diagnostic, ...]:
    """Each character a chosen face lacks and the built-in face has, once, at the first place it occurs: it is
    drawn from the built-in face instead (embedded like the rest)."""
    roles = [
        role
        for role in ("body", "heading", "sans", "code")
        if look.chosen(role)
        and not (role == "heading" and look.typefaces[role].family == look.typefaces["body"].family)
    ]
    if not roles:
        return ()
    warnings = []
    reported: dict[str, list[str]] = {}
    for chapter in book.chapters:
        issue = chapter.issue
        in_body = texts_by_role(parse_body(chapter.body))
        texts = RoleTexts.joined(
            [in_body, RoleTexts(issue.title + issue.description, "", issue.title, issue.description)]
        )
        for role in roles:
            typeface = look.typefaces[role]
            seen = reported.setdefault(typeface.family, [])
            lacking = characters_missing(typeface.regular, texts.of(role))
            # What the built-in face lacks too (emoji: the symbol face draws them) is no news about this face.
            lacking = "".join(sorted(set(lacking) - set(characters_missing(look.builtin[role].regular, lacking))))
            for char in lacking:
                if char in seen:
                    continue
                seen.append(char)
                if len(seen) > NAMED_PER_FACE:
                    continue
                line = _first_line(issue.body, char)
                warnings.append(
                    Diagnostic(
                        issue.path,
                        issue.body_first_line + line if line is not None else None,
                        "font",
                        f"{typeface.family} has no glyph for {char} (U+{ord(char):04X}) — it falls back to "
                        f"{look.builtin[role].family}",
                        "",
                        Severity.WARNING,
                    )
                )
    for family, missing in reported.items():
        if len(missing) > NAMED_PER_FACE:
            more = missing[NAMED_PER_FACE:]
            warnings.append(
                Diagnostic(
                    book.chapters[0].issue.path.parent,
                    None,
                    "font",
                    f"{family} has no glyph for {len(more):,} more characters ({''.join(more[:10])}…): they fall "
                    "back to the built-in face",
                    "check that [fonts] names a face with Chinese in it",
                    Severity.WARNING,
                )
            )
    return tuple(warnings)


def _first_line(body: str, char: str) -> int | None:
    at = body.find(char)
    return body.count("\n", 0, at) if at >= 0 else None
