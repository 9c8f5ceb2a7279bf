"""What a reader copies out of typeset text, for the tests that check typography adds no characters but the
EPUB's CJK–Latin spaces."""

from __future__ import annotations

import re

from lxml import etree

from publish.typography.slots import IDEOGRAPH

JOINERS = re.compile("[\u2060\u200b]")


def copied_text(markup: str) -> str:
    """The text of a body fragment as a reader copies it: joiners dropped, a no-break space (the orphan
    rule's) read as a space, ruby readings left out (annotations, not the line's text)."""
    root = etree.fromstring(f"<div>{markup}</div>".encode())
    for reading in list(root.iter("rt", "rp")):
        tail = reading.tail
        reading.clear()
        reading.tail = tail
    text = "".join(root.itertext())
    return JOINERS.sub("", text).replace("\u00a0", " ")


def only_gap_spaces_added(before: str, after: str) -> bool:
    """Whether `after` is `before` with spaces inserted, each beside an ideograph (the EPUB's CJK–Latin gap)."""
    position = 0
    for index, char in enumerate(after):
        if position < len(before) and before[position] == char:
            position += 1
            continue
        neighbours = after[index - 1 : index] + after[index + 1 : index + 2]
        if char != " " or not IDEOGRAPH.search(neighbours):
            return False
    return position == len(before)
