"""The ¼-em gap between Chinese and Latin, and Latin runs in their own face."""

from __future__ import annotations

from lxml import etree

from publish.typography.slots import IDEOGRAPH, LATIN_RUN, block_slots, blocks, neighbours, span


def cjk_latin_spacing(root: etree._Element) -> None:
    """Latin runs get a span (their own face, lining figures) and a ¼-em gap beside Chinese, as a
    margin that the PDF drops at line edges (internals/weasy/justify.py); none where the author wrote a space."""
    for block in blocks(root):
        slots = block_slots(block)
        for slot, (before, after) in zip(slots, neighbours(slots), strict=True):
            text = slot.value
            if not LATIN_RUN.search(text) or slot.owner.get("class", "").startswith("latin"):
                continue
            pieces: list[str | etree._Element] = []
            cursor = 0
            for match in LATIN_RUN.finditer(text):
                prev_char = text[match.start() - 1] if match.start() > 0 else before
                next_char = text[match.end()] if match.end() < len(text) else after
                gap_before = bool(IDEOGRAPH.match(prev_char or " "))
                gap_after = bool(IDEOGRAPH.match(next_char or " "))
                classes = "latin" + (" gap-before" if gap_before else "") + (" gap-after" if gap_after else "")
                pieces.append(text[cursor : match.start()])
                pieces.append(span(classes, match[0]))
                cursor = match.end()
            pieces.append(text[cursor:])
            slot.replace([p for p in pieces if not isinstance(p, str) or p])
