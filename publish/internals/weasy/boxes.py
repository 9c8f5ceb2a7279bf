"""Read a laid-out WeasyPrint document's boxes (its pages' private `_page_box` trees): which pages are
blank, how wide each picture was placed, where given text ended, which elements each page shows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure import boxes


def _walk(page: Any) -> Iterator[Any]:
    return _walk_box(page._page_box)


def is_blank(page: Any) -> bool:
    """A page WeasyPrint added to satisfy a break (`break-before: right` and the like)."""
    return bool(page._page_box.page_type.blank)


def placed_widths(pages: list[Any], sources: set[str] | dict) -> dict[str, float]:
    """The widest each of the given `src` values was placed, in CSS px."""
    widths: dict[str, float] = {}
    for page in pages:
        for box in _walk(page):
            if isinstance(box, boxes.ReplacedBox) and box.element is not None:
                href = (box.element.get("src") or "").strip()
                if href in sources:
                    widths[href] = max(widths.get(href, 0.0), box.width)
    return widths


def text_ends(pages: list[Any], css_class: str) -> list[tuple[int, float, float, Any]]:
    """Each text box of an element with this class (not of its pseudo-elements): its page's index, where
    its text ends and its baseline, in CSS px from the page's top left corner, and the element."""
    found = []
    for index, page in enumerate(pages):
        for box in _walk(page):
            element = getattr(box, "element", None)
            if (
                isinstance(box, boxes.TextBox)
                and element is not None
                and css_class in (element.get("class") or "").split()
                and "::" not in box.element_tag
            ):
                found.append((index, box.position_x + box.width, box.position_y + box.baseline, element))
    return found


def elements_on_pages(pages: list[Any]) -> list[set[int]]:
    """For each page, the `id()` of every element that has a box on it."""
    return [{id(box.element) for box in _walk(page) if getattr(box, "element", None) is not None} for page in pages]


def _flow_boxes(page: Any) -> Iterator[Any]:
    """The page's boxes in the normal flow of its content: margin boxes (running heads, folios) left out."""
    for child in page._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from _walk_box(child)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _is_leaf(box: Any) -> bool:
    return isinstance(box, (boxes.LineBox, boxes.ReplacedBox))


def figures_after_holes(pages: list[Any], hole_share: float, smallest_share: float) -> list[tuple[Any, float]]:
    """Each picture whose figure opens a page (after the headings kept with it, if any) while the page before
    ends more than `hole_share` of its text block short: the picture's element, and the height (CSS px) at
    which the figure, with those headings, would have fitted in that room, when that height is at least
    `smallest_share` of the picture's own."""
    found = []
    for before, page in itertools.pairwise(pages):
        if is_blank(before) or is_blank(page):
            continue
        area = before._page_box
        top = area.content_box_y()
        foot = top + area.height
        leaves = [box for box in _flow_boxes(before) if _is_leaf(box)]
        if not leaves:
            continue
        bottom = max(box.position_y + box.margin_height() for box in leaves)
        room = foot - bottom
        if room <= hole_share * area.height:
            continue
        figures = [  # a figure, or a paragraph holding a picture (with a line of text, a link under it)
            box
            for box in _flow_boxes(page)
            if isinstance(box, boxes.BlockBox) and getattr(box, "element_tag", "") in ("figure", "p")
        ]
        page_leaves = [box for box in _flow_boxes(page) if _is_leaf(box)]
        for figure in figures:
            pictures = [box for box in _walk_box(figure) if isinstance(box, boxes.ReplacedBox)]
            if len(pictures) != 1:
                continue
            above = [box for box in page_leaves if box.position_y < figure.position_y]
            if any(getattr(box, "element_tag", "") not in _HEADINGS for box in above):
                continue  # text comes first on the page: the figure did not move for want of room
            # What would have had to fit: the headings kept with the figure, and the figure, with the top
            # margin the first of them lost at the head of the page but keeps at the foot of the page before.
            first = min(
                (
                    box
                    for box in _flow_boxes(page)
                    if isinstance(box, boxes.BlockBox)
                    and box.position_y <= figure.position_y
                    and getattr(box, "element_tag", "") in _HEADINGS | {"figure", "p"}
                ),
                key=lambda box: box.position_y,
                default=figure,
            )
            margin = first.style["margin_top"]
            lost = margin.value if getattr(margin, "unit", None) == "px" else 0.0
            needed = figure.position_y + figure.margin_height() - page._page_box.content_box_y() + lost
            picture = pictures[0]
            fitted = picture.height - (needed - room) - 1
            if fitted >= smallest_share * picture.height:
                found.append((picture.element, fitted))
    return found


def _walk_box(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", []))
