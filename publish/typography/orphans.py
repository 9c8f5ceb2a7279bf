"""No block ends with a single character on its last line."""

from __future__ import annotations

import re

from lxml import etree

from publish.typography.slots import IDEOGRAPH, NO_BREAK_SPACE, WORD_JOINER, Slot, block_slots, blocks

_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")

_BOUND_BLOCKS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def orphan_binding(root: etree._Element) -> None:
    """No paragraph, list item, heading, table cell or caption (nor a title or description, typeset as a
    paragraph) ends with one character alone on its line: a word joiner binds its last ideograph to
    whatever precedes it — another ideograph, a number, a Latin word — so the break falls earlier. A space
    just before it becomes a no-break space instead: UAX #14 forbids a break between a space and a joiner,
    but Chromium breaks after any space (measured: `用 R ⁠包` left 包 alone at 320 px)."""
    for block in blocks(root):
        if block.tag not in _BOUND_BLOCKS or block.find("p") is not None:
            continue
        slots = block_slots(block)
        last = _last_ideograph(slots)
        if last is None:
            continue
        slot, index = last
        # What follows the ideograph must be marks only: after a Latin word, a number, an address or code
        # (which no slot holds) the line ends on them.
        text = "".join(block.itertext())
        following = text[text.rfind(slot.value[index]) + 1 :]
        preceding = "".join(s.value for s in slots[: slots.index(slot)]) + slot.value[:index]
        if _LATIN_OR_DIGIT.search(following) or IDEOGRAPH.search(following):
            continue
        if not preceding.strip() or preceding.endswith((WORD_JOINER, NO_BREAK_SPACE)):
            continue
        value = slot.value
        if index > 0 and value[index - 1] == " ":
            setattr(slot.element, slot.attribute, value[: index - 1] + NO_BREAK_SPACE + value[index:])
        else:
            setattr(slot.element, slot.attribute, value[:index] + WORD_JOINER + value[index:])


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
