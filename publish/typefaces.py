"""Typefaces a book may be set in: found by family through fontconfig or among the project's own `fonts/`,
each with the collection index that holds that family (never a collection's face 0 by accident), the
licence its name table states, whether its `fsType` lets it be embedded, and the characters it draws.

Used by config.py to check `[fonts]` when book.toml is read, and by the writers to embed and name faces."""

from __future__ import annotations

import functools
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from publish.errors import PublishError

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
PROJECT_FONTS = "fonts"
"""The folder, beside book.toml, where a project keeps font files of its own."""

_BOLD_WEIGHT = 150
"""fontconfig's weight scale: 80 regular, 180 demibold, 200 bold; at or above this a face is a bold."""


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    path: Path
    index: int

    @property
    def in_project(self) -> bool:
        """A file of the project's `fonts/` folder rather than one fontconfig found on the system."""
        return self.path.parent.name == PROJECT_FONTS and not str(self.path).startswith("/usr/")


class FaceProblem(Exception):
    """Why a face cannot be used, as (message, hint): the config check puts them under the key's line."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@functools.cache
def _fc_match(family: str, weight: int) -> tuple[tuple[str, ...], Path, int, int]:
    """fontconfig's answer for a family and weight, asked once a process (book.toml's check and each writer's
    look ask the same)."""
    style = "Bold" if weight >= 600 else "Regular"
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{family}|%{file}|%{index}|%{weight}", f"{family}:style={style}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PublishError(f"fontconfig (fc-match) is not usable: {exc}. Run `make book` to install it.") from exc
    families, file, index, found_weight = result.stdout.rsplit("|", 3)
    return tuple(families.split(",")), Path(file), int(index), int(float(found_weight or 80))


@functools.cache
def find_face(family: str, weight: int = 400) -> FontFace:
    """Ask fontconfig for the file and collection index of exactly this family and weight."""
    families, path, index, _ = _fc_match(family, weight)
    if family not in families:
        style = "Bold" if weight >= 600 else "Regular"
        raise PublishError(
            f"font {family!r} ({style}) is not installed (fontconfig offered {','.join(families)!r}). "
            "Install it: `make book` does, or `apt-get install fonts-noto-cjk fonts-texgyre`."
        )
    return FontFace(family=family, weight=weight, path=path, index=index)


@dataclass(frozen=True)
class _FileFace:
    families: tuple[str, ...]
    bold: bool
    path: Path
    index: int


def _names(path: Path, index: int) -> tuple[tuple[str, ...], bool]:
    """A face's family names (typographic and legacy, every language) and whether it is a bold."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        names = font["name"]
        families = {str(record.toUnicode()).strip() for record in names.names if record.nameID in (1, 16)}
        weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
    return tuple(sorted(f for f in families if f)), weight >= 600


def _faces_in_file(path: Path) -> int:
    with open(path, "rb") as handle:
        head = handle.read(12)
    return int.from_bytes(head[8:12], "big") if head[:4] == b"ttcf" else 1


@functools.cache
def _project_faces(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> tuple[_FileFace, ...]:
    faces = []
    for name, _, _ in stamp:
        path = folder / name
        try:
            for index in range(_faces_in_file(path)):
                families, bold = _names(path, index)
                faces.append(_FileFace(families, bold, path, index))
        except Exception:  # not a font fontTools reads: named only if a setting points at it (_named_file)
            continue
    return tuple(faces)


def project_faces(project_root: Path) -> tuple[_FileFace, ...]:
    """Every face of the font files in the project's `fonts/` folder, read once while the files stay as they are."""
    folder = project_root / PROJECT_FONTS
    if not folder.is_dir():
        return ()
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _project_faces(folder.resolve(), stamp)


def _named_file(value: str, project_root: Path) -> Path:
    """The font file a setting names by path, checked to be one of the project's `fonts/`."""
    folder = (project_root / PROJECT_FONTS).resolve()
    path = (project_root / value).resolve()
    if not path.is_relative_to(folder):
        raise FaceProblem(
            f"{value!r} is not in the project's {PROJECT_FONTS}/ folder",
            f"copy the font file into {PROJECT_FONTS}/ beside book.toml, or name an installed family",
        )
    if path.suffix.lower() not in FONT_SUFFIXES:
        raise FaceProblem(f"{value!r} is not a font file", f"name a {', '.join(FONT_SUFFIXES)} file")
    if not path.is_file():
        raise FaceProblem(f"no font file at {value!r}", f"put it in {PROJECT_FONTS}/ or correct the name")
    return path


def choose_face(value: str, project_root: Path, weight: int = 400) -> FontFace | None:
    """The face a `[fonts]` setting names at this weight: a file of the project's `fonts/`, a family among
    those files, or a family fontconfig finds. None when the family has no face of this weight (a bold asked
    of a family without one); FaceProblem when the setting names nothing usable."""
    bold = weight >= 600
    if "/" in value or value.lower().endswith(FONT_SUFFIXES):
        path = _named_file(value, project_root)
        count = _faces_in_file(path)
        if count > 1:
            families = sorted({names[0] for i in range(count) if (names := _names(path, i)[0])})
            raise FaceProblem(
                f"{value!r} is a collection of {count} faces",
                f"name the family you want instead: {', '.join(repr(f) for f in families[:6])}",
            )
        families, is_bold = _names(path, 0)
        if not families:
            raise FaceProblem(f"{value!r} names no family", "use another font file")
        family = families[0]
        if bold == is_bold:
            return FontFace(family, weight, path, 0)
        return _from_project(family, project_root, bold)
    found = _from_project(value, project_root, bold)
    if found is not None or any(value in face.families for face in project_faces(project_root)):
        return found
    families, path, index, found_weight = _fc_match(value, weight)
    if value not in families:
        raise FaceProblem(
            f"no font family {value!r} is installed",
            f"install it (fc-list shows what fontconfig finds), or put its file in {PROJECT_FONTS}/",
        )
    if bold and found_weight < _BOLD_WEIGHT:
        return None
    return FontFace(value, weight, path, index)


def _from_project(family: str, project_root: Path, bold: bool) -> FontFace | None:
    for face in project_faces(project_root):
        if family in face.families and face.bold == bold:
            return FontFace(family, 700 if bold else 400, face.path, face.index)
    return None


def embedding_problem(face: FontFace) -> str | None:
    """Why the face's licence, as its OpenType `fsType` states it, forbids embedding a subset in a book."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    usage = fs_type & 0x000F
    if usage & 0x0002 and not usage & 0x000C:
        return "its fsType says restricted licence embedding: it may not be embedded in a document"
    if fs_type & 0x0100:
        return "its fsType forbids subsetting, and a book embeds only the characters it uses"
    if fs_type & 0x0200:
        return "its fsType allows embedding its bitmaps only, not its outlines"
    return None


_KNOWN_LICENCES = (
    ("Open Font License", "SIL Open Font License 1.1"),
    ("Apache License", "Apache License 2.0"),
    ("GUST Font License", "GUST Font License"),
    ("Ubuntu Font Licence", "Ubuntu Font Licence"),
)


@functools.cache
def face_licence(face: FontFace) -> str:
    """The face's licence as its name table states it (licence description, else its URL, else its
    copyright notice), shortened to the licence's name when it is a well-known one."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        stated = {nid: (font["name"].getDebugName(nid) or "").strip() for nid in (0, 13, 14)}
    for text in (stated[13], stated[0]):
        for marker, name in _KNOWN_LICENCES:
            if marker.lower() in text.lower():
                return name
    if stated[13]:
        return stated[13].split(". ")[0][:80]
    return stated[14] or stated[0][:80] or "licence not stated in the font"


QUOTES = "‘’“”"
"""Quotation marks Latin shares with Chinese: full-width in a CJK face's Chinese forms, narrow in many faces
whose quotes are their Latin ones (LXGW WenKai)."""


@functools.cache
def narrow_quotes(face: FontFace) -> str:
    """The quotation marks the face draws narrower than nine tenths of an em: Chinese text sets them
    full-width, so the book takes them from the built-in face."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        cmap, advances, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        return "".join(c for c in QUOTES if ord(c) in cmap and advances[cmap[ord(c)]][0] < 0.9 * em)


@functools.cache
def lacks_halt(face: FontFace) -> bool:
    """Whether the face has no positioning table at all, and so no `halt` to set a mark in half an em (LXGW
    WenKai): the writers then give it one made from its own marks (writers/halt_faces.py)."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        return "GPOS" not in font


@functools.cache
def covered(path: Path, index: int) -> frozenset[int]:
    """The code points a face has glyphs for."""
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob.from_file_path(str(path)), index).unicodes)


def characters_missing(face: FontFace, characters: str) -> str:
    """The characters of `characters` that `face` has no glyph for, in code-point order; format characters
    (joiners, zero-width spaces, variation selectors) are left out: they draw nothing in any face."""
    have = covered(face.path, face.index)
    return "".join(
        sorted(
            char
            for char in set(characters)
            if ord(char) not in have
            and unicodedata.category(char) not in ("Cf", "Cc", "Zl", "Zp")
            and not 0xFE00 <= ord(char) <= 0xFE0F
        )
    )
