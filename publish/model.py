"""The data that flows through the stages, frozen: Issue → Chapter → Book, and what a build asks for.

Each stage takes these and returns new ones; none is changed after it is made. collect (source.py) makes
Issues, render (render/) makes Chapters, assemble (assemble.py) makes the Book the writers read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One newsletter issue as the editor wrote it: frontmatter fields and the Markdown body."""

    path: Path
    number: int
    title: str
    date: dt.date
    description: str
    lang: str
    body: str
    body_first_line: int
    """The file line on which the body starts (1-based), to turn token lines into file lines."""
    number_line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    url: str = ""
    """The issue's own web page, as its frontmatter gives it (`url`); the book's `issue_url` otherwise."""

    @property
    def label(self) -> str:
        """The title as outlines and running heads show it: naming the issue's number, which a reader
        looking for 第 N 期 scans for, unless the title already does."""
        if re.search(rf"第\s*0*{self.number}\s*期", self.title):
            return self.title
        return f"第 {self.number} 期　{self.title}"


@dataclass(frozen=True)
class Selection:
    """Which issues go into the book: a calendar year, an issue-number range, or all."""

    year: int | None = None
    first: int | None = None
    last: int | None = None

    def admits(self, issue: Issue) -> bool:
        if self.year is not None and issue.date.year != self.year:
            return False
        if self.first is not None and issue.number < self.first:
            return False
        return not (self.last is not None and issue.number > self.last)


@dataclass(frozen=True)
class Section:
    """A heading inside an issue, for the navigation and the PDF outline."""

    anchor: str
    title: str
    level: int


@dataclass(frozen=True)
class Chapter:
    """One issue rendered: its metadata, XHTML body markup, sections, and the local images it shows."""

    issue: Issue
    anchor: str
    body: str
    sections: tuple[Section, ...]
    images: Mapping[str, bytes]
    """Book-internal href (`images/<hash>.png`) → the image's bytes, read once by this stage."""
    remote_images: int
    image_lines: Mapping[str, int | None] = field(default_factory=dict)
    """Book-internal href → the file line where the image is first used, for later warnings."""
    title_html: str = ""
    """The issue title as XHTML markup (escaped text until the typography stage adds its spans)."""
    description_html: str = ""
    web_url: str = ""
    """The issue's web page: its frontmatter's `url`, else `[book] issue_url` with its number (assemble.py)."""


@dataclass(frozen=True)
class BookMeta:
    title: str
    subtitle: str
    creator: str
    publisher: str
    language: str
    identifier: str
    isbn: str
    description: str
    series: str
    license: str
    edition: str
    printing: str
    span: str
    """The years or issue numbers the book covers, as printed: `2025–2026`, `第 3–9 期`."""
    volume_line: str
    """The title page's and the cover's line under the title (book.toml's `volume`, or derived); may be empty."""
    modified: dt.datetime
    slug: str


@dataclass(frozen=True)
class Book:
    meta: BookMeta
    chapters: tuple[Chapter, ...]
    cover_image: bytes | None
    """The cover picture (PNG or JPEG) named in book.toml; None means writers draw one."""
    cover_media_type: str

    @property
    def images(self) -> dict[str, bytes]:
        """Every picture of every chapter, by its book-internal href."""
        return {href: data for chapter in self.chapters for href, data in chapter.images.items()}

    @property
    def issue_span(self) -> str:
        first, last = self.chapters[0].issue.number, self.chapters[-1].issue.number
        return f"第 {first} 期" if first == last else f"第 {first}–{last} 期"


@dataclass(frozen=True)
class Edition:
    """Which reader edition to make: the default one, Traditional (`tw` or `hk`), vertical, or both."""

    traditional: str | None = None
    vertical: bool = False

    @property
    def suffix(self) -> str:
        """Added to the book's file names, so that each edition has its own files."""
        parts = [f"traditional-{self.traditional}"] if self.traditional else []
        return "".join(f"-{part}" for part in [*parts, *(["vertical"] if self.vertical else [])])

    @property
    def corner_quotes(self) -> bool:
        return bool(self.traditional) or self.vertical

    @property
    def is_default(self) -> bool:
        return not self.suffix


@dataclass(frozen=True)
class PrintPage:
    """A printed page of an issue: its folio, and the block it begins with (None: it begins inside the
    block that started on an earlier page, and nothing else begins on it)."""

    folio: int
    block: int | None
    volume: str = ""
    """The volume's name (上册…) when the printed book is in several volumes."""
    volume_number: int = 0

    @property
    def label(self) -> str:
        """How a reader cites the page: `37`, or `上册 p. 37` in a book of several volumes."""
        return f"{self.volume} p. {self.folio}" if self.volume else str(self.folio)

    @property
    def marker(self) -> str:
        """The id of its marker in the EPUB, unique across volumes."""
        return f"page-{self.volume_number}-{self.folio}" if self.volume else f"page-{self.folio}"


@dataclass(frozen=True)
class BuildRequest:
    """What one build is asked for: where from and to, which formats and issues, which editions."""

    source: Path
    output: Path
    formats: tuple[str, ...] = ("epub", "pdf")
    selection: Selection = field(default_factory=Selection)
    use_cache: bool = True
    source_date_epoch: int | None = None
    image_dir: Path | None = None
    writer_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The values of the writers' own command-line options, by name (`print_ready`: publish/writers/)."""
    reader_edition: Edition = field(default_factory=Edition)
    """Traditional Chinese for Taiwan or Hong Kong, and/or a vertical EPUB (publish/edition.py)."""
    show_progress: bool = False
    """A progress bar on the terminal while the PDF is laid out (when stdout is one)."""
    resident: bool = False
    """The build runs again and again in one process (`--watch`): a writer may keep what it made for the next
    build (the PDF keeps its merged book open, to put an edited issue's pages in place)."""
