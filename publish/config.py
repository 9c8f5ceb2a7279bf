"""Book settings: defaults, then `book.toml`, then command-line choices, frozen once built."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from publish.errors import Problem

LINK_MODES = ("endnotes", "footnotes", "none")
"""How `[print] links` may print the addresses of links (publish/writers/pdf/links.py)."""
PAGE_SIZES = {"A5": (148, 210), "B6": (125, 176), "大32开": (140, 203), "小32开": (130, 184)}


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
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return Config(project_root=project_root.resolve()), [
            Problem(path, None, "config", f"cannot read the file ({exc})", "check that it is UTF-8 text")
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
    if parse_page_size(config.print.trim) is None:
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
    return config, problems
