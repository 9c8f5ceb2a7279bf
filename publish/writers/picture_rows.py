"""Picture rows: consecutive figures whose pictures each print narrower than half the column (small pictures,
portrait photos, tall captures scaled to the height limit) stand side by side in one row, top-aligned, each
with its own caption under it, instead of each taking a line of its own. Every edition judges by the printed
book's column (writers/pdf/settings.py `print_column`), so the same pictures pair up everywhere; the
stylesheets lay the row out (`.picture-row`), and the EPUB's stacks it again on a narrow screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lxml import etree

from publish.model import Book
from publish.pictures.inspect import PictureError, read_header
from publish.xhtml import classes, inner_markup, parse_body

ROW_CLASS = "picture-row"
CSS_PX_PER_INCH = 96


@dataclass(frozen=True)
class Column:
    """The column pictures are set in, in CSS px: its width, and the tallest a picture may print."""

    width: float
    max_picture_height: float


def printed_width(data: bytes, column: Column) -> float | None:
    """How wide a picture prints: its natural size (one pixel a CSS px), shrunk to the column's width and to
    the height limit, never enlarged; None for bytes that are not a picture."""
    try:
        info = read_header(data)
    except PictureError:
        return None
    width, height = float(info.width), float(info.height)
    return min(width, column.width, width * column.max_picture_height / height if height else width)


def _narrow_figure(element: etree._Element, images: Mapping[str, bytes], column: Column) -> bool:
    if element.tag != "figure" or "picture" not in classes(element):
        return False
    pictures = list(element.iter("img"))
    if len(pictures) != 1 or (element.tail or "").strip():
        return False
    data = images.get(pictures[0].get("src") or "")
    width = printed_width(data, column) if data is not None else None
    return width is not None and width < column.width / 2


def _group(parent: etree._Element, images: Mapping[str, bytes], column: Column) -> bool:
    """Wrap each run of two or more narrow figures among the parent's children in a row; True if any was."""
    changed = False
    run: list[etree._Element] = []
    for child in [*list(parent), None]:
        if child is not None and _narrow_figure(child, images, column):
            run.append(child)
            continue
        if len(run) >= 2:
            row = etree.Element("div", {"class": ROW_CLASS})
            run[0].addprevious(row)
            row.tail = run[-1].tail
            for figure in run:
                figure.tail = None
                row.append(figure)
            changed = True
        run = []
        if child is not None and child.tag in ("li", "blockquote", "div", "section"):
            changed |= _group(child, images, column)
    return changed


def in_rows(body: str, images: Mapping[str, bytes], column: Column) -> str:
    """The chapter's markup with its runs of narrow figures in rows (unchanged when it has none)."""
    if body.count("<figure") < 2:
        return body
    root = parse_body(body)
    return inner_markup(root) if _group(root, images, column) else body


def book_in_rows(book: Book, column: Column) -> Book:
    """Every chapter's runs of narrow figures in rows, judged by the pictures as the book carries them."""
    return replace(
        book,
        chapters=tuple(
            replace(chapter, body=in_rows(chapter.body, chapter.images, column)) for chapter in book.chapters
        ),
    )
