"""What may stand at a line's edges in Chinese text, where the line breakers (Pango's, Chromium's) follow a
Unicode line-breaking algorithm that knows too little of it (clreq §3.1.4, §3.1.5.1).

- An opening bracket or quote never ends a line: since Unicode 15.1 a quotation mark between two East Asian
  characters may break on either side, and `“` was left at the end of lines. A word joiner binds it to what
  follows.
- A run that UAX #14 glues together may break where a Chinese typesetter breaks it: after the enumeration
  comma or another comma inside a list of file extensions (`.txt、.pdf、.docx`: no break before a full stop
  in Unicode), and between a hanzi and a file extension that follows it (`翻译.txt`). Without these the whole
  run moved to the next line and the line before it was stretched to 0.87 em between its characters.

The two-em dash `——` and the ellipsis `……` need nothing here: Unicode already forbids a break inside either
(B2 × B2, × IN), and `publish typo-report` checks that none is split.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.typography.slots import IDEOGRAPH, OPENING, WORD_JOINER, block_slots, blocks

ZERO_WIDTH_SPACE = "\u200b"
_LIST_COMMAS = "、，；"
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}\b")


def line_edges(root: etree._Element) -> None:
    """Bind opening marks to what follows; open breaks inside runs of file names."""
    for block in blocks(root):
        slots = block_slots(block)
        for number, slot in enumerate(slots):
            value = slot.value
            following = "".join(later.value for later in slots[number + 1 : number + 4])[:8]
            changed = _edges(value, following)
            if changed != value:
                setattr(slot.element, slot.attribute, changed)


def _edges(value: str, following: str) -> str:
    out = []
    for index, char in enumerate(value):
        after = value[index + 1] if index + 1 < len(value) else following[:1]
        before = value[index - 1] if index else ""
        glued = before and (before in _LIST_COMMAS or IDEOGRAPH.match(before))
        if char == "." and glued and _EXTENSION.match(value[index:] + following) and out[-1] != ZERO_WIDTH_SPACE:
            out.append(ZERO_WIDTH_SPACE)  # `翻译​.txt`, `、​.pdf`: a break before the extension's full stop
        out.append(char)
        if char in OPENING and after and after not in (WORD_JOINER, " ", ZERO_WIDTH_SPACE):
            out.append(WORD_JOINER)
    return "".join(out)
