"""Which blocks a page may break inside: a long one may, so that no page ends with a hole; a short one not."""

from __future__ import annotations

import math

from lxml import etree

KEEP_CLASS = "keep-together"
SHORT_BLOCK_LINES = 3
"""A block of up to this many lines (a short listing, a two-sentence quotation) moves whole to the next page:
it has no break with two lines on each side. A longer one may break, leaving at least two lines on each
side (`orphans`/`widows`, styles/pdf.css)."""
CHARACTERS_PER_LINE = 30
"""An estimate of a quotation's line in characters, for a text block of about thirty em: typesetting has
not happened yet, and only short versus long matters."""


def _estimated_lines(block: etree._Element) -> int:
    if block.tag == "pre":
        return "".join(block.itertext()).rstrip("\n").count("\n") + 1
    if block.tag == "table":
        return sum(1 for _ in block.iter("tr"))
    paragraphs = [p for p in block.iter("p", "li", "h2", "h3", "h4", "h5", "h6")] or [block]
    return sum(max(1, math.ceil(len("".join(p.itertext()).strip()) / CHARACTERS_PER_LINE)) for p in paragraphs)


def short_blocks_kept(root: etree._Element) -> None:
    """Mark code blocks, quotations and tables of at most SHORT_BLOCK_LINES lines (or rows) as kept together;
    the PDF lets every other one break across pages."""
    for block in root.iter("pre", "blockquote", "table"):
        if any(ancestor.tag in ("pre", "blockquote", "table") for ancestor in block.iterancestors()):
            continue
        if _estimated_lines(block) <= SHORT_BLOCK_LINES:
            existing = (block.get("class") or "").split()
            if KEEP_CLASS not in existing:
                block.set("class", " ".join([*existing, KEEP_CLASS]))
