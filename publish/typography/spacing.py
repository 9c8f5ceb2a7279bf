"""The ¼-em gap between Chinese and Latin, and Latin runs in their own face.

Two forms, one per kind of engine. The PDF's gap is a margin on the Latin run's span, which our WeasyPrint
patch drops at line edges (internals/weasy/justify.py) and widens with the line's justification. A reading
system has no such patch: a margin stays at a line's start or end, and `text-autospace` (which would drop it)
is missing from most engines (Kindle, Kobo, MuPDF, WebKit before Safari 18.4). There the gap is a real space,
U+0020: every engine removes a space at a line's edges, and Noto Serif CJK's is 0.256 em wide."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from publish.typography.slots import IDEOGRAPH, LATIN_RUN, Slot, block_slots, blocks, neighbours, span


def cjk_latin_spacing(root: etree._Element) -> None:
    """Latin runs get a span (their own face, lining figures) and a ¼-em gap margin beside Chinese, which the
    PDF drops at line edges; none where the author wrote a space."""
    for slot, runs in _latin_runs(root):
        pieces: list[str | etree._Element] = []
        cursor = 0
        for start, end, gap_before, gap_after in runs:
            classes = "latin" + (" gap-before" if gap_before else "") + (" gap-after" if gap_after else "")
            pieces += [slot.value[cursor:start], span(classes, slot.value[start:end])]
            cursor = end
        pieces.append(slot.value[cursor:])
        slot.replace([p for p in pieces if not isinstance(p, str) or p])


def cjk_latin_spaces(root: etree._Element) -> None:
    """Latin runs get a span (the vertical edition's upright numbers look for it) and a space beside Chinese,
    outside any inline element the run starts or ends (a link's underline does not run under it); none where
    the author wrote a space."""
    for slot, runs in _latin_runs(root):
        text = slot.value
        pieces: list[str | etree._Element] = []
        cursor = 0
        starts_element = slot.attribute == "text"
        ends_element = slot.attribute == "text" and len(slot.element) == 0
        space_before_element = space_after_element = False
        for start, end, gap_before, gap_after in runs:
            pieces.append(text[cursor:start])
            if gap_before and start == 0 and starts_element:
                space_before_element = True
            elif gap_before:
                pieces.append(" ")
            pieces.append(span("latin", text[start:end]))
            if gap_after and end == len(text) and ends_element:
                space_after_element = True
            elif gap_after:
                pieces.append(" ")
            cursor = end
        pieces.append(text[cursor:])
        slot.replace([p for p in pieces if not isinstance(p, str) or p])
        if space_before_element:
            _space_before(slot.element)
        if space_after_element:
            slot.element.tail = " " + (slot.element.tail or "")


def _space_before(element: etree._Element) -> None:
    """A space just before the element's start tag: the tail of its previous sibling, or its parent's text."""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + " "
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + " "


def _latin_runs(root: etree._Element) -> Iterator[tuple[Slot, list[tuple[int, int, bool, bool]]]]:
    """Each slot holding Latin runs, with each run's start, end, and whether Chinese touches it before and
    after (in the slot, or across an inline element's edge). Slots are read before any is changed."""
    for block in blocks(root):
        slots = block_slots(block)
        for slot, (before, after) in zip(slots, neighbours(block, slots), strict=True):
            text = slot.value
            if not LATIN_RUN.search(text) or slot.owner.get("class", "").startswith("latin"):
                continue
            runs = []
            for match in LATIN_RUN.finditer(text):
                prev_char = text[match.start() - 1] if match.start() > 0 else before
                next_char = text[match.end()] if match.end() < len(text) else after
                runs.append(
                    (
                        match.start(),
                        match.end(),
                        bool(IDEOGRAPH.match(prev_char or " ")),
                        bool(IDEOGRAPH.match(next_char or " ")),
                    )
                )
            yield slot, runs
