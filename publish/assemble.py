"""Assemble: the rendered chapters plus the book's metadata, cover and name, ready for any writer."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import replace

from publish.config import Config
from publish.model import Book, BookMeta, Chapter, Selection


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def book_span(chapters: Sequence[Chapter], selection: Selection) -> tuple[str, str]:
    """The printed span and the file-name suffix: by year, by range, or the years the issues cover."""
    if selection.first is not None or selection.last is not None:
        first, last = chapters[0].issue.number, chapters[-1].issue.number
        return (f"第 {first}–{last} 期", f"{selection.first or first}-{selection.last or last}")
    if selection.year is not None:
        return str(selection.year), str(selection.year)
    years = sorted({c.issue.date.year for c in chapters})
    first_year, last_year = years[0], years[-1]
    if first_year == last_year:
        return str(first_year), str(first_year)
    return f"{first_year}–{last_year}", f"{first_year}-{last_year}"


def modified_time(chapters: Sequence[Chapter], source_date_epoch: int | None) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else midnight UTC of the latest issue's date: never the wall clock."""
    if source_date_epoch is not None:
        return dt.datetime.fromtimestamp(source_date_epoch, dt.UTC)
    latest = max(c.issue.date for c in chapters)
    return dt.datetime.combine(latest, dt.time(0, 0), dt.UTC)


def _volume_line(volume: str, subtitle: str, span: str, chapters: Sequence[Chapter]) -> str:
    """What book.toml says goes under the title; else the span and issue numbers, unless a subtitle is there
    (a derived line would repeat it, or contradict it: "2024 年卷" over issues dated 2023–2024)."""
    if volume.strip() or subtitle.strip():
        return volume.strip()
    first, last = chapters[0].issue.number, chapters[-1].issue.number
    numbers = f"第 {first} 期" if first == last else f"第 {first}–{last} 期"
    return span if span == numbers else f"{span} · {numbers}"


def assemble_book(
    config: Config,
    chapters: Sequence[Chapter],
    selection: Selection,
    *,
    source_date_epoch: int | None,
    cover_image: bytes | None = None,
) -> Book:
    settings = config.book
    span, suffix = book_span(chapters, selection)
    base = settings.slug or _ascii_slug(settings.title) or "weekly"
    slug = f"{_ascii_slug(base) or 'weekly'}-{suffix}"
    if settings.isbn:
        identifier = "urn:isbn:" + re.sub(r"[^0-9Xx]", "", settings.isbn)
    else:
        numbers = ",".join(str(c.issue.number) for c in chapters)
        identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publish:{settings.title}:{slug}:{numbers}"))
    meta = BookMeta(
        title=settings.title,
        subtitle=settings.subtitle,
        creator=settings.creator,
        publisher=settings.publisher or settings.creator,
        language=settings.language,
        identifier=identifier,
        isbn=settings.isbn,
        description=settings.description or f"{settings.title}（{span}）合订本",
        series=settings.series or settings.title,
        license=settings.license,
        edition=settings.edition,
        printing=settings.printing,
        span=span,
        volume_line=_volume_line(settings.volume, settings.subtitle, span, chapters),
        modified=modified_time(chapters, source_date_epoch),
        slug=slug,
    )
    media_type = "image/png"
    if cover_image is not None and cover_image[:3] == b"\xff\xd8\xff":
        media_type = "image/jpeg"
    chapters = [replace(chapter, web_url=web_url(chapter, settings.issue_url)) for chapter in chapters]
    return Book(meta=meta, chapters=tuple(chapters), cover_image=cover_image, cover_media_type=media_type)


def web_url(chapter: Chapter, template: str) -> str:
    """The issue's web page: its own `url`, else the book's template with its number, else none."""
    if chapter.issue.url:
        return chapter.issue.url
    return template.format(number=chapter.issue.number) if template else ""
