"""Book settings: defaults, then `book.toml`, then command-line choices, frozen once built.

`[book]` is declared here; every other section is declared by the writer it belongs to (`[print]` by the
PDF writer) and read by the same validator (publish/settings.py), from the sections the caller passes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from publish.errors import Diagnostic, PathLoopError, safe_resolve
from publish.limits import MAX_CONFIG_BYTES, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, WEB_ADDRESS, too_large
from publish.settings import SectionSource, key_line, read_section, section_key_line, setting

_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")


def _issue_url_problem(template: str) -> tuple[str, str] | None:
    if not template:
        return None
    example = 'e.g. "https://example.com/weekly/issue-{number}.html"'
    if not WEB_ADDRESS.fullmatch(template):
        return f"{template!r} is not a web address", f"give the address of an issue's page, {example}"
    try:
        template.format(number=1)
    except (KeyError, IndexError, ValueError):
        return (
            f"{template!r} has a placeholder other than {{number}}",
            f"use {{number}} for the issue's number, {example}",
        )
    return None


def _language_problem(tag: str) -> tuple[str, str] | None:
    if _LANGUAGE_TAG.fullmatch(tag):
        return None
    return f"{tag!r} is not a language tag", 'use a BCP 47 tag such as "zh-Hans", "zh-Hant" or "zh-CN"'


@dataclass(frozen=True)
class BookSettings:
    """What `[book]` in book.toml may say; every field has a sensible default."""

    title: str = setting("周刊合订本", max_chars=MAX_TITLE_CHARS)
    subtitle: str = setting("")
    volume: str = setting("")
    """The line under the title on the title page and the cover, e.g. "2024 年卷". Left empty, it is derived
    from the issues ("2023–2024 · 第 280–331 期"), and only when there is no subtitle, which says it already."""
    slug: str = setting("")
    creator: str = setting("编辑部")
    publisher: str = setting("")
    language: str = setting("zh-Hans", check=_language_problem)
    series: str = setting("")
    isbn: str = setting("")
    description: str = setting("", max_chars=MAX_DESCRIPTION_CHARS)
    license: str = setting("")
    cover: str = setting("")
    edition: str = setting("")
    """版次, e.g. "2026年12月第1版"; printed in the colophon."""
    printing: str = setting("")
    """印次, e.g. "2026年12月第1次印刷"."""
    issue_url: str = setting("", check=_issue_url_problem)
    """Each issue's web page, `{number}` standing for its number: the PDF prints its QR code on the issue's
    opening page, the EPUB links to it. An issue's own `url` in its frontmatter wins."""


def _colour_problem(value: str) -> tuple[str, str] | None:
    if not value or css_colour(value):
        return None
    return f"{value!r} is not a colour", 'give a CSS colour: "#8b2500", "rgb(139 37 0)" or a name such as "darkred"'


def css_colour(value: str) -> str:
    """The colour as #rrggbb (what every reading system reads), or "" when it is not an opaque CSS colour."""
    from tinycss2.color3 import RGBA, parse_color

    colour = parse_color(value.strip())
    if not isinstance(colour, RGBA) or colour.alpha < 1:
        return ""
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in colour[:3])


def _face_setting() -> Any:
    return setting("", max_chars=200)


@dataclass(frozen=True)
class FontSettings:
    """What `[fonts]` may say: the family (or a file under the project's fonts/) for each part of the text;
    empty keeps the built-in face. Checked when book.toml is read (_font_problems)."""

    body: str = _face_setting()
    heading: str = _face_setting()
    """Issue titles and headings; the body's face when empty."""
    sans: str = _face_setting()
    """Quotations, issue descriptions and captions."""
    code: str = _face_setting()
    latin: str = _face_setting()
    """Latin runs beside the body face (the PDF sets them apart; the EPUB leaves them to the body face)."""


@dataclass(frozen=True)
class StyleSettings:
    """What `[style]` may say: design tokens the stylesheets read (publish/writers/look.py)."""

    accent: str = setting("", max_chars=60, check=_colour_problem)
    """The colour of issue numbers, the series line and rules."""
    body_size: float = setting(0.0, within=(0.0, 14.0), unit="pt")
    """The PDF's body size (0: 10 pt); an e-reader's text size is its reader's choice."""
    leading: float = setting(0.0, within=(0.0, 3.0), unit="times the text size")
    """Line height of running text (0: 1.75 in the EPUB, 1.8 in the PDF)."""
    paragraph_indent: float = setting(-1.0, within=(-1.0, 4.0), unit="em")
    """First-line indent of paragraphs (-1: 2 em, Chinese custom)."""
    heading_align: str = setting("", choices=("", "left", "center"), noun="an alignment")


Section = TypeVar("Section")


@dataclass(frozen=True)
class Config:
    """Settings of one build. Paths are absolute, resolved against the project root."""

    project_root: Path
    book: BookSettings = field(default_factory=BookSettings)
    config_path: Path | None = None
    sections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The writers' sections as read from book.toml, by name (`print`)."""

    def section(self, name: str, declared: type[Section]) -> Section:
        """A writer's settings: as book.toml gave them, or the declaration's defaults."""
        found = self.sections.get(name)
        return found if isinstance(found, declared) else declared()

    @property
    def styles_dir(self) -> Traversable:
        """The project's styles/, or else the stylesheets installed with the package (publish/styles)."""
        own = self.project_root / "styles"
        return own if own.is_dir() else resources.files("publish") / "styles"

    @property
    def cover_path(self) -> Path | None:
        return safe_resolve(self.project_root / self.book.cover) if self.book.cover else None


def _read_toml(path: Path) -> tuple[dict | None, str, list[Diagnostic]]:
    """book.toml's data and text, or the one problem that stops it from being read."""

    def fail(message: str, hint: str, line: int | None = None) -> tuple[None, str, list[Diagnostic]]:
        return None, "", [Diagnostic(path, line, "config", message, hint)]

    if not path.is_file():  # a folder, or a pipe that would keep the build waiting
        return fail("is not a regular file", "name a book.toml file with --config")
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            return fail(too_large("the file", len(raw), MAX_CONFIG_BYTES), "keep it short")
        text = raw.decode("utf-8")
        return tomllib.loads(text), text, []
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read the file ({exc})", "check that it is UTF-8 text")
    except RecursionError:
        return fail("the TOML is nested too deeply", "book.toml has two flat sections")
    except tomllib.TOMLDecodeError as exc:
        return fail(f"not valid TOML: {exc}", "fix the syntax", getattr(exc, "lineno", None))


def load_config(
    path: Path | None, project_root: Path, sections: Mapping[str, type] = MappingProxyType({})
) -> tuple[Config, list[Diagnostic]]:
    """Read book.toml if given: `[book]`, and the writers' `sections` (name → declaring dataclass); report
    unknown sections and keys, wrong types and values with their line."""
    if path is None:
        return Config(project_root=project_root.resolve()), []
    try:
        path = safe_resolve(path)
    except PathLoopError as exc:
        return Config(project_root=project_root.resolve()), [
            Diagnostic(path, None, "config", str(exc).split(": ", 1)[1], "name a book.toml file with --config")
        ]
    data, text, problems = _read_toml(path)
    if data is None:
        return Config(project_root=project_root.resolve()), problems
    declared = {"book": BookSettings, "fonts": FontSettings, "style": StyleSettings, **sections}
    read: dict[str, Any] = {}
    source = SectionSource(path, text)
    for name, values in data.items():
        if name not in declared or not isinstance(values, dict):
            hint = f"use one of: {', '.join(f'[{s}]' for s in declared)}"
            problems.append(Diagnostic(path, key_line(text, name), name, "unknown section", hint))
            continue
        read[name], found = read_section(name, declared[name], values, source)
        problems.extend(found)
    config = Config(
        project_root=path.parent,
        config_path=path,
        book=read.pop("book", BookSettings()),
        sections=MappingProxyType(read),
    )
    problems.extend(_cover_problems(config, source))
    problems.extend(_font_problems(config, source))
    return config, problems


def _font_problems(config: Config, source: SectionSource) -> list[Diagnostic]:
    """Each `[fonts]` setting must name a face that is there and whose licence lets a book embed it."""
    from publish.typefaces import FaceProblem, choose_face, embedding_problem

    problems = []
    fonts = config.section("fonts", FontSettings)
    for role in ("body", "heading", "sans", "code", "latin"):
        value = getattr(fonts, role)
        if not value:
            continue
        where = (source.path, section_key_line(source.text, "fonts", role), f"fonts.{role}")
        try:
            faces = [face for weight in (400, 700) if (face := choose_face(value, config.project_root, weight))]
            if not faces:
                raise FaceProblem(f"{value!r} has no regular face", "name a family with a regular weight")
            for face in faces:
                if (reason := embedding_problem(face)) is not None:
                    raise FaceProblem(
                        f"{face.family} ({face.path.name}) cannot be embedded: {reason}",
                        "choose a face under an open licence (SIL OFL, Apache), which allows embedding",
                    )
        except FaceProblem as problem:
            problems.append(Diagnostic(*where, problem.message, problem.hint))
    return problems


def _cover_problems(config: Config, source: SectionSource) -> list[Diagnostic]:
    """The cover must be a PNG or JPEG inside the project, and be what its name says."""
    try:
        cover = config.cover_path
    except PathLoopError:
        cover = None
        reason = (f"{config.book.cover} is a symbolic link that leads back to itself", "name the image file itself")
    else:
        reason = _cover_reason(config, cover) if cover is not None else None
    if reason is None:
        return []
    return [Diagnostic(source.path, key_line(source.text, "cover"), "book.cover", *reason)]


def _cover_reason(config: Config, cover: Path) -> tuple[str, str] | None:
    if not cover.is_relative_to(config.project_root.resolve()):
        return (
            f"{config.book.cover} is outside the project",
            "copy the cover image into the project folder and name it relative to book.toml",
        )
    if cover.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        return "the cover must be a PNG or JPEG image", "convert it, e.g. to cover.jpg, at least 1600×2560 pixels"
    if not cover.is_file():
        return (
            f"no image at {config.book.cover}",
            "give a path relative to book.toml, or remove the key to generate a cover",
        )
    reason = _cover_problem(cover)
    return (reason, "save it again as a PNG or JPEG") if reason else None


def _cover_problem(cover: Path) -> str | None:
    """Why the cover image cannot go into the books: read and decoded once, like every picture."""
    from publish.pictures.inspect import PictureError, inspect_picture

    try:
        info = inspect_picture(cover.read_bytes())
    except OSError as exc:
        return f"cannot read {cover.name} ({exc.strerror})"
    except PictureError as exc:
        return f"{cover.name}: {exc}"
    if info.extension != cover.suffix.lower().replace(".jpeg", ".jpg"):
        return f"{cover.name} is a {info.format} picture, not what its name says"
    return None
