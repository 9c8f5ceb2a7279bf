"""Vertical justification of the pages a picture left short, on WeasyPrint's laid-out boxes.

When a picture (with its heading and lead-in) does not fit the rest of a page, the page floats and the
shrinking (writers/pdf/floats.py, boxes.figures_after_holes) fill it where the rules allow; where they do
not (a section's first item, a run of items that each open with their picture), the page would end with a
hole. A typesetter then spreads the page: the room is shared out between its blocks — more around pictures
and before headings, none between a heading or a lead-in and what it is kept with — so that the page ends
at the foot like its neighbours (LaTeX's `\\flushbottom`, the default of its book class). Nothing moves to
another page, so the boxes are moved in place and laid out again only in the PDF's links and anchors.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from weasyprint.anchors import gather_anchors
from weasyprint.formatting_structure import boxes

from publish.internals.weasy.boxes import AVOID, HEADINGS, is_blank, page_rooms

_PICTURE_WEIGHT = 2
"""A gap beside a picture, or before a heading, takes this many shares of the room; any other gap one."""
_HEADER_CLASS = "issue-header"
_HEADER_WEIGHT = 1000
"""An issue's opening page puts its room between the issue's header and its text (the header at the top, the
text at the foot, as a chapter opens), not between the paragraphs of its introduction."""


@dataclass
class _Unit:
    """A block that moves whole: a paragraph, a heading, a list item's lines, a figure, a table, a framed block."""

    box: Any
    keep_before: bool
    """It may not be parted from the unit above it (it, or a block it opens, has `break-before: avoid`)."""
    keep_after: bool
    companions: list[Any] = field(default_factory=list)
    """Boxes set beside it out of the flow, which move with it: a list item's marker."""


def spread_short_pages(pages: list[Any], hole_share: float) -> list[int]:
    """Spread each page (the last aside) that ends more than `hole_share` of its text block short, when its
    blocks have gaps to take the room; the indexes of the pages spread."""
    rooms = page_rooms(pages)
    spread = []
    for index in range(len(pages) - 1):
        room = rooms[index]
        if room is None or rooms[index + 1] is None or is_blank(pages[index + 1]):
            continue
        if room[0] > hole_share * room[1] and _spread(pages[index], room[0]):
            spread.append(index)
    return spread


def _spread(page: Any, room: float) -> bool:
    flow = [child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)]
    units: list[_Unit] = []
    ranges: dict[int, tuple[Any, int, int]] = {}
    for root in flow:
        _collect(root, units, ranges, False)
    weights = [_weight(before, after) for before, after in itertools.pairwise(units)]
    total = sum(weights)
    if not total:
        return False
    extras = [room * weight / total for weight in weights]
    before_unit = [0.0, *itertools.accumulate(extras)]
    """How far each unit moves down: the extras of the gaps above it."""
    for box, first, last in ranges.values():
        if first < 0:
            continue
        inside = before_unit[last] - before_unit[first]
        if _is_unit_range(box, units, first, last):
            _moved_down(box, before_unit[first])
            for companion in units[first].companions:
                _moved_down(companion, before_unit[first])
        else:
            box.position_y += before_unit[first]
            box.height += inside
    _gather_again(page)
    return True


def _moved_down(box: Any, dy: float) -> None:
    """The box and what it holds `dy` lower, their backgrounds with them: WeasyPrint places a background's
    painting area when it lays the page out, and `translate` leaves it where it was (a code block moved down
    the page left its grey block and its wrapped lines' marks behind, empty, above its text)."""
    box.translate(dy=dy)
    if not dy:
        return
    for moved in (box, *_descendants(box)):
        background = getattr(moved, "background", None)
        if background is not None and background.layers:
            moved.background = background._replace(layers=[_layer_moved(layer, dy) for layer in background.layers])


def _layer_moved(layer: Any, dy: float) -> Any:
    def lower(area: Any) -> Any:
        return (area[0], area[1] + dy, *area[2:]) if isinstance(area, (tuple, list)) else area

    return layer._replace(
        painting_area=lower(layer.painting_area),
        positioning_area=lower(layer.positioning_area),
        clipped_boxes=[lower(clip) for clip in layer.clipped_boxes],
    )


def _is_unit_range(box: Any, units: list[_Unit], first: int, last: int) -> bool:
    return first == last and units[first].box is box


def _collect(
    box: Any, units: list[_Unit], ranges: dict[int, tuple[Any, int, int]], keep_before: bool
) -> tuple[int, int]:
    """Find the units below `box` in flow order; record for `box` and each container the range of units it
    holds (-1 when none)."""
    keep_before = keep_before or box.style["break_before"] in AVOID
    if _is_unit(box):
        units.append(_Unit(box, keep_before, box.style["break_after"] in AVOID))
        position = len(units) - 1
        ranges[id(box)] = (box, position, position)
        return position, position
    first = last = -1
    children = list(_block_children(box))
    beside: list[Any] = []
    for number, child in enumerate(children):
        if child.style["position"] in ("absolute", "fixed"):
            beside.append(child)  # a list item's marker: it goes where the unit after it goes
            continue
        start, end = _collect(child, units, ranges, keep_before and number == 0)
        if start >= 0:
            units[start].companions.extend(beside)
            beside = []
            first = start if first < 0 else first
            last = end
    if beside and last >= 0:
        units[last].companions.extend(beside)
    if last >= 0 and box.style["break_after"] in AVOID:
        units[last].keep_after = True
    ranges[id(box)] = (box, first, last)
    return first, last


def _block_children(box: Any) -> Iterator[Any]:
    return (child for child in getattr(box, "children", []) if isinstance(child, boxes.BlockLevelBox))


def _is_unit(box: Any) -> bool:
    """A box the spreading moves whole rather than opening: anything but a plain, unframed container of
    blocks (a section, a list, a list item of several paragraphs)."""
    if not isinstance(box, boxes.BlockContainerBox) or isinstance(box, (boxes.TableBox, boxes.FlexContainerBox)):
        return True
    if getattr(box, "is_table_wrapper", False) or getattr(box, "element_tag", "") == "figure":
        return True
    if box.element is not None and _HEADER_CLASS in (box.element.get("class") or "").split():
        return True
    children = getattr(box, "children", [])
    if not children or any(not isinstance(child, boxes.BlockLevelBox) for child in children):
        return True
    framed = any(box.style[f"border_{side}_width"] for side in ("top", "right", "bottom", "left"))
    background = getattr(box, "background", None)
    return framed or box.style["background_color"].alpha > 0 or bool(background and background.layers)


def _weight(before: _Unit, after: _Unit) -> int:
    """The shares of the room the gap between two units takes."""
    bottom = before.box.border_box_y() + before.box.border_height()
    if after.box.border_box_y() < bottom - 0.5:  # margins overlap where they collapse: borders do not
        return 0  # side by side, or overlapping: no gap between them
    if before.keep_after or after.keep_before or _tag(before.box) in HEADINGS:
        return 0
    if before.box.element is not None and _HEADER_CLASS in (before.box.element.get("class") or "").split():
        return _HEADER_WEIGHT
    if _tag(after.box) in HEADINGS or _is_picture(before.box) or _is_picture(after.box):
        return _PICTURE_WEIGHT
    return 1


def _tag(box: Any) -> str:
    return getattr(box, "element_tag", "")


def _is_picture(box: Any) -> bool:
    return _tag(box) == "figure" or any(isinstance(b, boxes.ReplacedBox) for b in _descendants(box))


def _descendants(box: Any) -> Iterator[Any]:
    stack = list(getattr(box, "children", []))
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", []))


def _gather_again(page: Any) -> None:
    """The page's links, anchors and bookmarks where the moved boxes now are (WeasyPrint gathers them when it
    makes the page)."""
    page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
    gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)
