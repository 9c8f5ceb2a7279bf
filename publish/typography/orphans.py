"""No block ends with a single character on its last line."""

from __future__ import annotations

import re

from lxml import etree

from publish.typography.slots import (
    BLOCK_ELEMENTS,
    IDEOGRAPH,
    NO_BREAK_SPACE,
    WORD_JOINER,
    Slot,
    blocks,
    skips,
)

ZERO_WIDTH_SPACE = "\u200b"

_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")

_BOUND_BLOCKS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def orphan_binding(root: etree._Element) -> None:
    """No paragraph, list item, heading, table cell or caption (nor a title or description, typeset as a
    paragraph) ends with one character alone on its line, and no line before a hard line break (`<br>`: an
    entry written as a title, its address and its description) either: a word joiner binds the last
    ideograph to whatever precedes it — another ideograph, a number, a Latin word — so the break falls
    earlier. A space just before it becomes a no-break space instead: UAX #14 forbids a break between a space
    and a joiner, but Chromium breaks after any space (measured: `用 R ⁠包` left 包 alone at 320 px); a break
    opportunity (a zero-width space) just before it goes."""
    for block in blocks(root):
        if block.tag not in _BOUND_BLOCKS or block.find("p") is not None:
            continue
        for segment in _lines_ending_in_breaks(block):
            _bind_last(segment)


def _lines_ending_in_breaks(block: etree._Element) -> list[list[Slot | str]]:
    """The block's text cut at its hard line breaks: for each piece, its slots and, as plain strings, the text
    typography leaves alone (code, an address shown as a link's text), in order."""
    pieces: list[list[Slot | str]] = [[]]

    def visit(element: etree._Element, skipped: bool) -> None:
        if element.text:
            pieces[-1].append(element.text if skipped else Slot(element, "text"))
        for child in element:
            if not isinstance(child.tag, str) or child.tag in ("rt", "rp"):
                pass
            elif child.tag == "br":
                pieces.append([])
            elif child.tag in BLOCK_ELEMENTS:
                pieces.append([])  # a nested block: its lines are its own
            else:
                visit(child, skipped or skips(child))
            if child.tail:
                pieces[-1].append(child.tail if skipped else Slot(child, "tail"))

    visit(block, False)
    return [piece for piece in pieces if piece]


def _bind_last(piece: list[Slot | str]) -> None:
    last = _last_ideograph([item for item in piece if isinstance(item, Slot)])
    if last is None:
        return
    slot, index = last
    # What follows the ideograph must be marks only: after a Latin word, a number, an address or code the line
    # ends on them.
    position = piece.index(slot)
    following = slot.value[index + 1 :] + "".join(_value(item) for item in piece[position + 1 :])
    preceding = "".join(_value(item) for item in piece[:position]) + slot.value[:index]
    if _LATIN_OR_DIGIT.search(following) or IDEOGRAPH.search(following):
        return
    if not preceding.replace(ZERO_WIDTH_SPACE, "").strip():
        return
    value = slot.value
    head, tail = value[:index], value[index:]
    if head.endswith(ZERO_WIDTH_SPACE):  # a break the quotes rule opened (`”​奖`): the joiner must win
        head = head.rstrip(ZERO_WIDTH_SPACE)
    elif not head:
        before = next((item for item in reversed(piece[:position]) if isinstance(item, Slot)), None)
        if before is not None and before.value.endswith(ZERO_WIDTH_SPACE):
            setattr(before.element, before.attribute, before.value.rstrip(ZERO_WIDTH_SPACE))
    if head.endswith((WORD_JOINER, NO_BREAK_SPACE)):
        setattr(slot.element, slot.attribute, head + tail)
    elif head.endswith(" "):
        setattr(slot.element, slot.attribute, head[:-1] + NO_BREAK_SPACE + tail)
    elif head or preceding:
        setattr(slot.element, slot.attribute, head + WORD_JOINER + tail)


def _value(item: Slot | str) -> str:
    return item if isinstance(item, str) else item.value


def _last_ideograph(slots: list[Slot]) -> tuple[Slot, int] | None:
    """The slot holding the block's last ideograph, and its index there. Each slot's text is read once: lxml
    builds a new string on every read, so reading it per character made a long run quadratic."""
    for slot in reversed(slots):
        found = None
        for found in IDEOGRAPH.finditer(slot.value):  # noqa: B007 — the last match is the one wanted
            pass
        if found is not None:
            return slot, found.start()
    return None
