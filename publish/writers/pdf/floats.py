"""Page floats for pictures, which WeasyPrint does not have: when a figure does not fit the rest of its page
it goes to the top of the next one, and the text after it fills the page it left — as LaTeX floats a
figure, and CSS page floats (`float: top`) would.

The layout loop (layout.py) reads where each block and line fell (internals/weasy/boxes.py), then moves in
the issue's HTML the blocks that follow such a figure to before it (with the figure's lead-in: a short line
that introduces it, such as a list item's title or a line ending in `：`), as many whole blocks as fill the
room, and of the next paragraph the lines that still fit, split off with its continuation unindented. What
moves never crosses a heading, another picture or the end of the figure's own list item or section, so
pictures keep their order and a picture moves at most a page from the text that refers to it.

Before the first layout, `mark_pictures` names every picture block in the issue's order (`<issue>-fig-<k>`)
and marks its lead-in (kept with it: `break-after: avoid`) and a heading just above it with empty anchors
(`…-lead`, `…-heading`); a move leaves one where the figure stood (`…-origin`). They are named destinations
in the PDF, which the typography report reads back: pictures moved, how far, in order, lead-ins and
headings with their picture.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from publish.internals.weasy.boxes import Extent
from publish.typography.page_breaks import NUMBERED_ITEM

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BARRIERS = _HEADINGS | {"hr", "section", "nav", "aside", "table"}
"""What text after a figure never moves across: a heading (the next section), a rule, a listing of links."""
_MOVABLE = {"p", "ul", "ol", "blockquote", "pre", "dl", "div"}
SPLIT_LINES = 2
"""A paragraph is split only with at least this many lines on each side (the PDF's orphans and widows)."""
CONTINUED_CLASS = "continued"
SPLIT_CLASS = "split"


def tag(element: Any) -> str:
    name = element.tag if isinstance(element.tag, str) else ""
    return name.rsplit("}", 1)[-1]


def _classes(element: Any) -> list[str]:
    return (element.get("class") or "").split()


def is_picture_block(element: Any) -> bool:
    """A figure, a row of them, or a paragraph that holds one picture and little else."""
    name = tag(element)
    if name == "figure" or (name == "div" and "picture-row" in _classes(element)):
        return True
    if name != "p":
        return False
    pictures = [e for e in element.iter() if tag(e) == "img"]
    return len(pictures) == 1 and len(_text(element).strip()) <= 40


def _text(element: Any) -> str:
    return "".join(element.itertext())


LEAD_IN_CLASS = "lead-in"
CREDIT_CLASS = "credit"
LEAD_IN_CHARACTERS = 40
"""A lead-in is a paragraph just before a picture that is at most this long (a title such as `News
Minimalist`), or at most twice as long when it ends in `：` or opens with an item's number (`2、…`, `3. …`)."""


def is_lead_in(element: Any) -> bool:
    if tag(element) != "p" or is_picture_block(element) or _holds_picture(element):
        return False
    text = _text(element).strip()
    if not text or len(text) > 2 * LEAD_IN_CHARACTERS:
        return False
    return len(text) <= LEAD_IN_CHARACTERS or text.endswith(("：", ":")) or bool(NUMBERED_ITEM.match(text))


def _anchor(element: Any, name: str) -> None:
    """An empty span with this id at the element's start: a named destination in the PDF, nothing visible."""
    marker = element.makeelement("span", {"id": name, "class": "float-mark"})
    marker.tail, element.text = element.text, None
    element.insert(0, marker)


def mark_pictures(root: Any, prefix: str) -> int:
    """Name every picture block of the issue in order, and mark each one's lead-in (kept with it) and the
    heading just above it; how many picture blocks there are."""
    parents = {child: parent for parent in root.iter() for child in parent}
    figures = [
        e for e in root.iter() if is_picture_block(e) and not any(is_picture_block(a) for a in _above(e, parents))
    ]
    for number, figure in enumerate(figures, start=1):
        name = f"{prefix}-fig-{number}"
        figure.set("id", figure.get("id") or name)
        figure.set("data-float", name)
        siblings = [e for e in parents[figure] if isinstance(e.tag, str)] if figure in parents else []
        index = siblings.index(figure) if figure in siblings else 0
        before = siblings[index - 1] if index > 0 else None
        if before is not None and is_lead_in(before) and CREDIT_CLASS not in _classes(before):
            before.set("class", " ".join([*_classes(before), LEAD_IN_CLASS]))
            _anchor(before, f"{name}-lead")
        elif before is not None and tag(before) in _HEADINGS:
            _anchor(before, f"{name}-heading")
        after = siblings[index + 1] if index + 1 < len(siblings) else None
        if after is not None and is_credit(after):
            after.set("class", " ".join([*_classes(after), CREDIT_CLASS]))
    return len(figures)


def _unmark(mark: Any, parents: dict[Any, Any]) -> None:
    holder = parents.get(mark)
    if holder is not None:
        holder.text = (holder.text or "") + (mark.tail or "")
        holder.remove(mark)


def _above(element: Any, parents: dict[Any, Any]) -> Iterator[Any]:
    while element in parents:
        element = parents[element]
        yield element


@dataclass(frozen=True)
class FloatMove:
    """Blocks to move from after a figure to before it (and its lead-in), and a paragraph to split."""

    figure: Any
    group_start: Any
    """The figure, or its lead-in."""
    blocks: tuple[Any, ...]
    split: tuple[Any, int] | None
    """A paragraph, and how many of its lines go before the figure."""


def plan_moves(
    root: Any,
    pages: int,
    rooms: list[tuple[float, float] | None],
    openings: list[list[Any]],
    extents: dict[int, Extent],
    hole_share: float,
) -> list[FloatMove]:
    """Where a page ends more than `hole_share` short because the figure (with its lead-in) after it did not
    fit, what to move to fill it."""
    parents = {child: parent for parent in root.iter() for child in parent}
    moves = []
    for page in range(pages - 1):
        room = rooms[page]
        if room is None or rooms[page + 1] is None or room[0] <= hole_share * room[1]:
            continue
        opened = _opening_figure(openings[page + 1], extents, page + 1, parents)
        if opened is None:
            continue
        start, figure, heading = opened
        siblings = list(parents[figure])
        space = room[0] - heading - _safety(extents, siblings)
        move = _fill(siblings, figure, start, extents, space)
        if move is not None:
            moves.append(move)
    return moves


def _opening_figure(
    opening: list[Any], extents: dict[int, Extent], page: int, parents: dict[Any, Any]
) -> tuple[Any, Any, float] | None:
    """The picture block a page opens with, the lead-in it opens with (kept with the picture), and the height
    of a heading above them: the heading goes back to the page before with the text that fills it, and the
    text stays below its heading."""
    if not opening:
        return None
    element = opening[-1]
    heading = 0.0
    if tag(element) in _HEADINGS:
        extent = extents.get(id(element))
        element = _next_sibling(element, parents)
        if extent is None or element is None:
            return None
        heading = extent.height
    start = element
    if LEAD_IN_CLASS in _classes(element):
        element = _next_sibling(element, parents)
    if element is None or not is_picture_block(element) or element not in parents:
        return None
    extent = extents.get(id(element))
    if extent is None or extent.first_page != page:
        return None
    return start, element, heading


def _next_sibling(element: Any, parents: dict[Any, Any]) -> Any:
    if element not in parents:
        return None
    siblings = [e for e in parents[element] if isinstance(e.tag, str)]
    following = siblings[siblings.index(element) + 1 :]
    return following[0] if following else None


def _safety(extents: dict[int, Extent], siblings: list[Any]) -> float:
    """A little room kept free: margins between blocks collapse differently once they are neighbours."""
    heights = [h for e in siblings if (x := extents.get(id(e))) for h, _ in x.lines]
    return 0.5 * (min(heights) if heights else 16.0)


_CREDIT = re.compile(r"^\s*(图片?来源|图源|来源|出处|摄影|photo|image|source|via|credit)", re.IGNORECASE)
CREDIT_CHARACTERS = 60


def is_credit(block: Any) -> bool:
    """A short line under a picture that says where it comes from (`图片来源：…`), or is only a link: it is the
    picture's, like a caption, and moves with it."""
    if tag(block) != "p":
        return False
    text = _text(block).strip()
    if not text or len(text) > CREDIT_CHARACTERS or NUMBERED_ITEM.match(text):
        return False  # a numbered line is the next item's title, not this picture's
    links = "".join("".join(a.itertext()) for a in block.iter() if tag(a) == "a").strip()
    return bool(_CREDIT.match(text)) or (bool(links) and len(links) >= len(text) - 2)


def _fill(siblings: list[Any], figure: Any, start: Any, extents: dict[int, Extent], space: float) -> FloatMove | None:
    """Whole blocks after the figure (and its credit line) while they fit `space`, then lines of the next
    paragraph."""
    chosen = []
    following = [b for b in siblings[siblings.index(figure) + 1 :] if isinstance(b.tag, str)]
    while following and is_credit(following[0]):
        following.pop(0)
    for block in following:
        extent = extents.get(id(block))
        if extent is None or tag(block) in _BARRIERS or is_picture_block(block) or _holds_picture(block):
            break
        if tag(block) not in _MOVABLE or LEAD_IN_CLASS in _classes(block):
            break
        if any(c in ("issue-links", "footnotes") for c in _classes(block)):
            break
        if extent.height <= space:
            chosen.append(block)
            space -= extent.height
            continue
        split = None
        if tag(block) == "p" and extent.lines:
            fitting, used = 0, 0.0
            for height, _ in extent.lines:
                if used + height > space:
                    break
                fitting, used = fitting + 1, used + height
            if fitting >= SPLIT_LINES and len(extent.lines) - fitting >= SPLIT_LINES:
                split = (block, fitting)
        if chosen or split:
            return FloatMove(figure, start, tuple(chosen), split)
        return None
    return FloatMove(figure, start, tuple(chosen), None) if chosen else None


def _holds_picture(block: Any) -> bool:
    return any(tag(e) == "img" for e in block.iter())


def apply_moves(root: Any, moves: list[FloatMove], extents: dict[int, Extent]) -> int:
    """Make the moves in the HTML, the last first (a move changes nothing before it); how many were made."""
    parents = {child: parent for parent in root.iter() for child in parent}
    made = 0
    for move in reversed(moves):
        parent = parents.get(move.figure)
        if parent is None or parents.get(move.group_start) is not parent:
            continue
        moved = list(move.blocks)
        if move.split is not None:
            paragraph, lines = move.split
            texts = [text for _, text in extents[id(paragraph)].lines[:lines]]
            head = split_paragraph(paragraph, sum(_counted(text) for text in texts))
            if head is not None:
                moved.append(head)
        if not moved:
            continue
        name = move.figure.get("data-float")
        if name and not any(e.get("id") == f"{name}-origin" for e in root.iter("span")):
            _anchor(moved[0], f"{name}-origin")
        for mark in [e for e in parent.iter("span") if e.get("id") == f"{name}-heading"]:
            _unmark(mark, parents)  # text now stands between the heading and the picture: not its heading
        for block in moved:
            if block in list(parent):
                parent.remove(block)
            parent.insert(list(parent).index(move.group_start), block)
        made += 1
    return made


def split_paragraph(paragraph: Any, counted: int) -> Any:
    """Cut a paragraph after its first `counted` characters (spaces, hyphens and invisible joiners not
    counted): the paragraph keeps the rest, marked as continued (no first-line indent), and the returned copy
    holds the beginning, marked as split (its last line set full). None when the text does not have that many
    characters, or holds a footnote (its text is set at the page's foot, not in the lines)."""
    if counted <= 0 or any("footnote" in _classes(e) for e in paragraph.iter()):
        return None
    if _counted(_text(paragraph)) <= counted:
        return None
    head = copy.deepcopy(paragraph)
    if _keep_before(head, counted) is not _CUT or _keep_after(paragraph, counted) is not _CUT:
        return None
    head.set("class", " ".join([*_classes(head), SPLIT_CLASS]))
    head.attrib.pop("id", None)
    paragraph.set("class", " ".join([*_classes(paragraph), CONTINUED_CLASS]))
    return head


_CUT = object()
_INVISIBLE = re.compile(r"[\s\u00ad\u2010\u002d\u200b\u2060\ufeff]")


def _counted(text: str) -> int:
    return len(_INVISIBLE.sub("", text))


def _after(text: str, count: int) -> int | None:
    """The index just after the `count`-th counted character of `text` (0 for none), or None if it has fewer."""
    if count == 0:
        return 0
    for index, char in enumerate(text):
        if not _INVISIBLE.match(char):
            count -= 1
            if count == 0:
                return index + 1
    return None


def _keep_before(element: Any, count: int) -> object:
    """Keep the first `count` counted characters below `element` (and the elements around them); _CUT when the
    cut fell inside it, else how many characters are still to keep."""
    text = element.text or ""
    cut = _after(text, count)
    if cut is not None:
        element.text = text[:cut]
        for child in list(element):
            element.remove(child)
        return _CUT
    count -= _counted(text)
    children = list(element)
    for position, child in enumerate(children):
        found = _keep_before(child, count)
        if found is _CUT:
            child.tail = None
            for later in children[position + 1 :]:
                element.remove(later)
            return _CUT
        count = found  # type: ignore[assignment]
        tail = child.tail or ""
        cut = _after(tail, count)
        if cut is not None:
            child.tail = tail[:cut]
            for later in children[position + 1 :]:
                element.remove(later)
            return _CUT
        count -= _counted(tail)
    return count


def _keep_after(element: Any, count: int) -> object:
    """Drop the first `count` counted characters below `element` (and the elements wholly among them)."""
    text = element.text or ""
    cut = _after(text, count)
    if cut is not None:
        element.text = text[cut:].lstrip()
        return _CUT
    count -= _counted(text)
    element.text = None
    for child in list(element):
        found = _keep_after(child, count)
        if found is _CUT:
            return _CUT
        count = found  # type: ignore[assignment]
        tail = child.tail or ""
        cut = _after(tail, count)
        element.remove(child)
        if cut is not None:
            element.text = tail[cut:].lstrip()
            return _CUT
        count -= _counted(tail)
    return count
