"""Book settings: defaults, then `book.toml`, then command-line choices, frozen once built."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from publish.cjk import CONTROL
from publish.errors import Problem
from publish.limits import MAX_CONFIG_BYTES, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, too_large

LINK_MODES = ("endnotes", "footnotes", "none")
"""How `[print] links` may print the addresses of links (publish/writers/pdf/links.py)."""
PAGE_SIZES = {"A5": (148, 210), "B6": (125, 176), "大32开": (140, 203), "小32开": (130, 184)}
TRIM_RANGE_MM = (70.0, 500.0)
"""Each side of a page size given as W×H: from a pocket booklet (A7 is 74 mm wide) to a broadsheet."""
_TEXT_LIMITS = {"title": MAX_TITLE_CHARS, "description": MAX_DESCRIPTION_CHARS}
_OTHER_TEXT_LIMIT = 500


@dataclass(frozen=True)
class BookSettings:
    """What `[book]` in book.toml may say; every field has a sensible default."""

    title: str = "周刊合订本"
    subtitle: str = ""
    volume: str = ""
    """The line under the title on the title page and the cover, e.g. "2024 年卷". Left empty, it is derived
    from the issues ("2023–2024 · 第 280–331 期"), and only when there is no subtitle, which says it already."""
    slug: str = ""
    creator: str = "编辑部"
    publisher: str = ""
    language: str = "zh-Hans"
    series: str = ""
    isbn: str = ""
    description: str = ""
    license: str = ""
    cover: str = ""
    edition: str = ""
    """版次, e.g. "2026年12月第1版"; printed in the colophon."""
    printing: str = ""
    """印次, e.g. "2026年12月第1次印刷"."""


@dataclass(frozen=True)
class PrintSettings:
    """What `[print]` in book.toml may say: the trim, and what a press or a print-on-demand service needs."""

    trim: str = "A5"
    bleed_mm: float = 3.0
    crop_marks: bool = True
    paper_thickness_mm: float = 0.1
    """One leaf (two pages) of the interior paper, for the spine width of the cover."""
    links: str = "endnotes"
    """Where the PDF prints the address of each link: a list at the end of each issue (`endnotes`), at the
    foot of the page (`footnotes`), or nowhere (`none`)."""


@dataclass(frozen=True)
class Config:
    """Settings of one build. Paths are absolute, resolved against the project root."""

    project_root: Path
    book: BookSettings = field(default_factory=BookSettings)
    print: PrintSettings = field(default_factory=PrintSettings)
    config_path: Path | None = None

    @property
    def styles_dir(self) -> Traversable:
        """The project's styles/, or else the stylesheets installed with the package (publish/styles)."""
        own = self.project_root / "styles"
        return own if own.is_dir() else resources.files("publish") / "styles"

    @property
    def cover_path(self) -> Path | None:
        return (self.project_root / self.book.cover).resolve() if self.book.cover else None

    @property
    def page_size_mm(self) -> tuple[float, float]:
        return parse_page_size(self.print.trim) or PAGE_SIZES["A5"]


_SECTIONS = {"book": BookSettings, "print": PrintSettings}


def parse_page_size(text: str) -> tuple[float, float] | None:
    if text in PAGE_SIZES:
        return PAGE_SIZES[text]
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*", text)
    return (float(match[1]), float(match[2])) if match else None


def _fits(value: object, default: object) -> bool:
    """A value of the default's type; a whole number is fine where a float is expected."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*\[?[ \t]*{re.escape(key)}\b", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_config(path: Path | None, project_root: Path) -> tuple[Config, list[Problem]]:
    """Read book.toml if given; report unknown keys and wrong types with their line."""
    if path is None:
        return Config(project_root=project_root.resolve()), []
    path = path.resolve()
    if not path.is_file():  # a folder, or a pipe that would keep the build waiting
        return Config(project_root=project_root.resolve()), [
            Problem(path, None, "config", "is not a regular file", "name a book.toml file with --config")
        ]
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            return Config(project_root=project_root.resolve()), [
                Problem(path, None, "config", too_large("the file", len(raw), MAX_CONFIG_BYTES), "keep it short")
            ]
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return Config(project_root=project_root.resolve()), [
            Problem(path, None, "config", f"cannot read the file ({exc})", "check that it is UTF-8 text")
        ]
    except RecursionError:
        return Config(project_root=project_root.resolve()), [
            Problem(path, None, "config", "the TOML is nested too deeply", "book.toml has two flat sections")
        ]
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        return Config(project_root=project_root.resolve()), [
            Problem(path, line, "config", f"not valid TOML: {exc}", "fix the syntax")
        ]

    problems: list[Problem] = []
    sections = {}
    for name, value in data.items():
        cls = _SECTIONS.get(name)
        if cls is None or not isinstance(value, dict):
            problems.append(
                Problem(
                    path,
                    _line_of(text, name),
                    name,
                    "unknown section",
                    f"use one of: {', '.join(f'[{s}]' for s in _SECTIONS)}",
                )
            )
            continue
        known = {f.name for f in fields(cls)}
        kwargs = {}
        for key, item in value.items():
            if key not in known:
                problems.append(
                    Problem(
                        path,
                        _line_of(text, key),
                        f"{name}.{key}",
                        "unknown key",
                        f"known keys are: {', '.join(sorted(known))}",
                    )
                )
            elif not _fits(item, getattr(cls(), key)):
                expected = type(getattr(cls(), key)).__name__
                example = {"str": f'{key} = "…"', "float": f"{key} = 3.0", "bool": f"{key} = true"}[expected]
                problems.append(
                    Problem(path, _line_of(text, key), f"{name}.{key}", f"must be a {expected}", f"e.g. {example}")
                )
            elif isinstance(item, str) and (reason := _text_problem(key, item)):
                problems.append(Problem(path, _line_of(text, key), f"{name}.{key}", reason[0], reason[1]))
            elif isinstance(item, float) and item != item:
                problems.append(Problem(path, _line_of(text, key), f"{name}.{key}", "is not a number", "e.g. 3.0"))
            else:
                kwargs[key] = float(item) if isinstance(getattr(cls(), key), float) else item
        sections[name] = cls(**kwargs)

    root = path.parent
    config = Config(project_root=root, config_path=path, **sections)
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*", config.book.language):
        problems.append(
            Problem(
                path,
                _line_of(text, "language"),
                "book.language",
                f"{config.book.language!r} is not a language tag",
                'use a BCP 47 tag such as "zh-Hans", "zh-Hant" or "zh-CN"',
            )
        )
    if config.print.links not in LINK_MODES:
        problems.append(
            Problem(
                path,
                _line_of(text, "links"),
                "print.links",
                f"{config.print.links!r} is not a way to print links",
                f"use one of: {', '.join(repr(mode) for mode in LINK_MODES)}",
            )
        )
    for key, low, high in (("bleed_mm", 0.0, 10.0), ("paper_thickness_mm", 0.03, 0.5)):
        value = getattr(config.print, key)
        if not low <= value <= high:
            problems.append(
                Problem(
                    path,
                    _line_of(text, key),
                    f"print.{key}",
                    f"{value} is out of range",
                    f"use a value from {low} to {high} (mm)",
                )
            )
    size = parse_page_size(config.print.trim)
    if size is not None and not all(TRIM_RANGE_MM[0] <= side <= TRIM_RANGE_MM[1] for side in size):
        low, high = TRIM_RANGE_MM
        problems.append(
            Problem(
                path,
                _line_of(text, "trim"),
                "print.trim",
                f"{config.print.trim!r} is not a page size a book is printed at",
                f"give each side from {low:.0f} to {high:.0f} mm, e.g. 148x210, or use {', '.join(PAGE_SIZES)}",
            )
        )
    elif size is None:
        problems.append(
            Problem(
                path,
                _line_of(text, "trim"),
                "print.trim",
                f"unknown trim {config.print.trim!r}",
                f"use {', '.join(PAGE_SIZES)} or W×H in mm, e.g. 148x210",
            )
        )
    if config.cover_path is not None and not config.cover_path.is_relative_to(root.resolve()):
        problems.append(
            Problem(
                path,
                _line_of(text, "cover"),
                "book.cover",
                f"{config.book.cover} is outside the project",
                "copy the cover image into the project folder and name it relative to book.toml",
            )
        )
    elif config.cover_path is not None and config.cover_path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        problems.append(
            Problem(
                path,
                _line_of(text, "cover"),
                "book.cover",
                "the cover must be a PNG or JPEG image",
                "convert it, e.g. to cover.jpg, at least 1600×2560 pixels",
            )
        )
    elif config.cover_path is not None and not config.cover_path.is_file():
        problems.append(
            Problem(
                path,
                _line_of(text, "cover"),
                "book.cover",
                f"no image at {config.book.cover}",
                "give a path relative to book.toml, or remove the key to generate a cover",
            )
        )
    elif config.cover_path is not None and (reason := _cover_problem(config.cover_path)):
        problems.append(Problem(path, _line_of(text, "cover"), "book.cover", reason, "save it again as a PNG or JPEG"))
    return config, problems


def _text_problem(key: str, value: str) -> tuple[str, str] | None:
    """What makes a setting's text unprintable: a control character (no XML document may hold it), or a length
    no title page has room for."""
    control = CONTROL.search(value)
    if control is not None:
        return f"holds the control character U+{ord(control[0]):04X}", "delete it"
    limit = _TEXT_LIMITS.get(key, _OTHER_TEXT_LIMIT)
    if len(value) > limit:
        return f"is too long: {len(value):,} characters, the limit is {limit:,}", "shorten it"
    return None


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
