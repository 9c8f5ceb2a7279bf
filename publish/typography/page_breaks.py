"""Which blocks a page may break inside: a long one may, so that no page ends with a hole; a short one not."""

from __future__ import annotations

import math
import re

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


TITLE_CLASS = "item-title"
ITEM_TITLE_CHARACTERS = 40
NUMBERED_ITEM = re.compile(r"^\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*[、.．)）]")
"""An item's number, as weeklies write their lists by hand: `2、`, `3.`, `四、`."""


def item_titles_kept(root: etree._Element) -> None:
    """A short paragraph that opens with an item's number (`1、数据库索引是怎样工作的`), or opens a list item
    whose text follows it, or a numbered list of one short item followed by a paragraph, is that item's
    title: it never ends a page away from the text it introduces (clreq §4.1.3), as a heading does not."""
    for paragraph in root.iter("p"):
        text = "".join(paragraph.itertext()).strip()
        parent = paragraph.getparent()
        numbered = parent is not None and parent.tag == "li" and paragraph.getprevious() is None  # `1. 标题`
        if len(text) > ITEM_TITLE_CHARACTERS or not (numbered or NUMBERED_ITEM.match(text)):
            continue
        following = paragraph.getnext()
        if following is None or following.tag not in ("p", "ul", "ol", "blockquote", "pre", "figure", "div"):
            continue
        _mark_title(paragraph)
    for listing in root.iter("ol"):
        # `11. [标题](…)`, a blank line, then its text: a list of one short item, the title of what follows.
        items = [child for child in listing if child.tag == "li"]
        if len(items) != 1 or any(child.tag in ("p", "ul", "ol", "div", "blockquote", "pre") for child in items[0]):
            continue
        following = listing.getnext()
        text = "".join(items[0].itertext()).strip()
        if text and len(text) <= ITEM_TITLE_CHARACTERS and following is not None and following.tag == "p":
            _mark_title(listing)


def _mark_title(element: etree._Element) -> None:
    existing = (element.get("class") or "").split()
    if TITLE_CLASS not in existing:
        element.set("class", " ".join([*existing, TITLE_CLASS]))
