"""No paragraph ends with a single character on its last line."""

from __future__ import annotations

from lxml import etree

from publish.typography.slots import IDEOGRAPH, WORD_JOINER, block_slots, blocks


def orphan_binding(root: etree._Element) -> None:
    """No paragraph ends with one character alone on its line: join its last two characters."""
    for block in blocks(root):
        if block.tag not in ("p", "li", "dd", "figcaption") or block.find("p") is not None:
            continue
        slots = block_slots(block)
        positions = [(slot, i) for slot in slots for i, c in enumerate(slot.value) if IDEOGRAPH.match(c)]
        if len(positions) < 2:
            continue
        (first_slot, first_index), (second_slot, second_index) = positions[-2], positions[-1]
        if first_slot is second_slot:
            text = first_slot.value
            if second_index != first_index + 1:
                continue
            setattr(
                first_slot.element,
                first_slot.attribute,
                text[: first_index + 1] + WORD_JOINER + text[first_index + 1 :],
            )
        elif first_index == len(first_slot.value) - 1 and second_index == 0:
            setattr(first_slot.element, first_slot.attribute, first_slot.value + WORD_JOINER)
