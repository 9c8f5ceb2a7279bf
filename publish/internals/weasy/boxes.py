"""Read a laid-out WeasyPrint document's boxes (its pages' private `_page_box` trees): which pages are
blank, how wide each picture was placed, where given text ended, which elements each page shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure import boxes


def _walk(page: Any) -> Iterator[Any]:
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(getattr(box, "children", []))


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
