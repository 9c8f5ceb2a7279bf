"""Read a laid-out WeasyPrint document's boxes (its pages' private `_page_box` trees): which pages are
blank, how wide each picture was placed, where given text ended, which elements each page shows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
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


def replaced_boxes(page: Any) -> Iterator[Any]:
    """The page's pictures, as laid out."""
    return (box for box in _walk(page) if isinstance(box, boxes.ReplacedBox) and box.element is not None)


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


HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _is_leaf(box: Any) -> bool:
    return isinstance(box, (boxes.LineBox, boxes.ReplacedBox))


def figures_after_holes(pages: list[Any], hole_share: float, smallest_share: float) -> list[tuple[Any, float]]:
    """Each picture whose figure opens a page (after the headings and lead-in kept with it, if any) while the
    page before ends more than `hole_share` of its text block short: the picture's element, and the height
    (CSS px) at which the figure, with what is kept with it, would have fitted in that room, when that height
    is at least `smallest_share` of the picture's own. When it is not, and the pictures of the page before
    can give the rest (each keeping `smallest_share` of its own height), they are listed too, with theirs."""
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
        parents = {id(child): box for box in _flow_boxes(page) for child in getattr(box, "children", [])}
        for figure in figures:
            pictures = [box for box in _walk_box(figure) if isinstance(box, boxes.ReplacedBox)]
            if len(pictures) != 1:
                continue
            above = [box for box in page_leaves if box.position_y < figure.position_y]
            if any(not _kept_with_figure(box) for box in above):
                continue  # text comes first on the page: the figure did not move for want of room
            # What would have had to fit: the headings kept with the figure, and the figure, with the top
            # margin the first of them lost at the head of the page but keeps at the foot of the page before.
            first = min(
                (
                    box
                    for box in _flow_boxes(page)
                    if isinstance(box, boxes.BlockBox)
                    and box.position_y <= figure.position_y
                    and (getattr(box, "element_tag", "") in HEADINGS | {"figure", "p"})
                ),
                key=lambda box: box.position_y,
                default=figure,
            )
            margin = first.style["margin_top"]
            lost = margin.value if getattr(margin, "unit", None) == "px" else 0.0
            bottom_kept = _kept_after(figure, figure.position_y + figure.margin_height(), parents)
            needed = bottom_kept - page._page_box.content_box_y() + lost
            picture = pictures[0]
            deficit = needed - room + 1
            own = picture.height - smallest_share * _natural(picture)
            if own >= deficit:
                found.append((picture.element, picture.height - deficit))
                continue
            # Not enough on its own: the pictures of the page before give some of their height too, each down
            # to the same share of its own, so that the page holds both (a page of pictures a typesetter would
            # have scaled alike) rather than end short.
            givers = {
                id(box): box
                for block in _flow_boxes(before)
                if isinstance(block, boxes.BlockBox) and getattr(block, "element_tag", "") in ("figure", "p")
                if (box := _picture_of(block)) is not None
            }
            spares = [(box, box.height - smallest_share * _natural(box)) for box in givers.values()]
            spares = [(box, spare) for box, spare in spares if spare > 0]
            spare = sum(amount for _, amount in spares)
            if own > 0 and own + spare >= deficit:
                found.append((picture.element, picture.height - own))
                rest = deficit - own
                found.extend((box.element, box.height - rest * amount / spare) for box, amount in spares)
    return found


AVOID = frozenset({"avoid", "avoid-page"})
"""The values of `break-before`, `break-after` and `break-inside` that keep two boxes on one page."""


def _kept_after(block: Any, bottom: float, parents: dict[int, Any]) -> float:
    """Where what must stay on the page with `block` ends (CSS px from the page's top), `bottom` being where
    the block itself ends: the blocks after it that a `break-before` or `break-after: avoid` keeps with it
    (a picture's credit line, the issue's link list kept with its last block), each as far as it cannot break
    (its first lines, `orphans`)."""
    while True:
        following, avoided = _next_block(block, parents)
        if following is None or not avoided:
            return bottom
        end, whole = _head(following)
        bottom = max(bottom, end)
        if not whole:
            return bottom
        block = following


def _next_block(block: Any, parents: dict[int, Any]) -> tuple[Any, bool]:
    """The block laid out after this one on the page (its next sibling, or its parent's), and whether the break
    between them is to be avoided (by either side, or by a parent the break also closes)."""
    avoided = block.style["break_after"] in AVOID
    while id(block) in parents:
        parent = parents[id(block)]
        siblings = [child for child in parent.children if isinstance(child, boxes.BlockLevelBox)]
        position = next((index for index, child in enumerate(siblings) if child is block), None)
        if position is not None and position + 1 < len(siblings):
            following = siblings[position + 1]
            return following, avoided or following.style["break_before"] in AVOID
        block = parent
        avoided = avoided or block.style["break_after"] in AVOID
    return None, False


def _head(block: Any) -> tuple[float, bool]:
    """Where the part of a block that cannot be parted from its start ends, and whether that is all of it: a
    block that may not break (or a picture) is whole; of a paragraph, its first `orphans` lines; of a container,
    its first child's head, and the heads of the children kept with it."""
    end = block.position_y + block.margin_height()
    if isinstance(block, boxes.ReplacedBox) or block.style["break_inside"] in AVOID:
        return end, True
    lines = [child for child in block.children if isinstance(child, boxes.LineBox)]
    if lines:
        kept = lines[: max(1, int(block.style["orphans"]))]
        return (end, True) if len(kept) == len(lines) else (kept[-1].position_y + kept[-1].margin_height(), False)
    children = [child for child in block.children if isinstance(child, boxes.BlockLevelBox)]
    if not children:
        return end, True
    bottom, whole = _head(children[0])
    for before, after in itertools.pairwise(children):
        if not whole or not (before.style["break_after"] in AVOID or after.style["break_before"] in AVOID):
            return bottom, False
        bottom, whole = _head(after)
    return (end, True) if whole else (bottom, False)


def _natural(picture: Any) -> float:
    """A picture's height before any shrinking: what its first shrinking recorded, else its height now."""
    recorded = picture.element.get("data-natural-height") if picture.element is not None else None
    return float(recorded) if recorded else picture.height


def _picture_of(box: Any) -> Any:
    """The one picture a block holds (a figure, a paragraph with a picture in its link), else None."""
    found = [b for b in _walk_box(box) if isinstance(b, boxes.ReplacedBox)]
    return found[0] if len(found) == 1 and found[0].element is not None else None


def _kept_with_figure(box: Any) -> bool:
    """A line of a heading, or of a lead-in (a short line that introduces the picture: writers/pdf/floats.py),
    which moved to the page with the figure they are kept with."""
    element = getattr(box, "element", None)
    lead_in = element is not None and "lead-in" in (element.get("class") or "").split()
    return getattr(box, "element_tag", "") in HEADINGS or lead_in


def _walk_box(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", []))


@dataclass(frozen=True)
class Extent:
    """Where an element's block boxes lie: the pages it begins and ends on, its height (its fragments' margin
    boxes added up, in CSS px), and its lines as (height, text), when its boxes hold lines."""

    first_page: int
    last_page: int
    height: float
    lines: tuple[tuple[float, str], ...]


def element_extents(pages: list[Any]) -> dict[int, Extent]:
    """By `id()` of each element that has a block box in the pages' flow: its extent."""
    found: dict[int, list] = {}
    for index, page in enumerate(pages):
        for box in _flow_boxes(page):
            element = getattr(box, "element", None)
            if element is None or not isinstance(box, boxes.BlockBox) or "::" in getattr(box, "element_tag", ""):
                continue
            lines = tuple(
                (
                    line.margin_height(),
                    "".join(text.text for text in _walk_box(line) if isinstance(text, boxes.TextBox)),
                )
                for line in box.children
                if isinstance(line, boxes.LineBox)
            )
            entry = found.setdefault(id(element), [index, index, 0.0, []])
            entry[1] = index
            entry[2] += box.margin_height()
            entry[3].extend(lines)
    return {key: Extent(first, last, height, tuple(lines)) for key, (first, last, height, lines) in found.items()}


def _line_text(line: Any) -> str:
    """A line's text in reading order (a text box's order among its inline siblings is the walk's, reversed)."""
    texts = [box for box in _walk_box(line) if isinstance(box, boxes.TextBox)]
    texts.sort(key=lambda box: box.position_x)
    return "".join(box.text for box in texts)


def page_rooms(pages: list[Any]) -> list[tuple[float, float] | None]:
    """For each page, the room left at its foot and its text block's height (CSS px); None for a blank page
    or one with nothing in its flow."""
    rooms: list[tuple[float, float] | None] = []
    for page in pages:
        leaves = [box for box in _flow_boxes(page) if _is_leaf(box)]
        if is_blank(page) or not leaves:
            rooms.append(None)
            continue
        area = page._page_box
        bottom = max(box.position_y + box.margin_height() for box in leaves)
        rooms.append((area.content_box_y() + area.height - bottom, area.height))
    return rooms


def page_openings(pages: list[Any]) -> list[list[Any]]:
    """For each page, the elements of the block boxes its flow opens with, outermost first (the issue's
    section, its body, then the first block and any block nested at its top)."""
    openings = []
    for page in pages:
        chain = []
        box = next((child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)), None)
        while box is not None and isinstance(box, boxes.BlockContainerBox):
            element = getattr(box, "element", None)
            if (
                element is not None
                and "::" not in getattr(box, "element_tag", "")
                and (not chain or chain[-1] is not element)
            ):
                chain.append(element)
            box = next((child for child in box.children if isinstance(child, boxes.BlockBox)), None)
        openings.append(chain)
    return openings
