"""What every typography rule works on: the text runs (slots) of a chapter's tree that typography may
change — never code, preformatted text, keyboard input, ruby readings or link texts that are URLs — and
the blocks they belong to; and the character classes the rules share."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from publish.cjk import HAN, KANA_BOPOMOFO

WORD_JOINER = "\u2060"
"""Forbids a line break on either side; invisible, and not extracted from the PDF."""
NO_BREAK_SPACE = "\u00a0"
"""A space no engine breaks beside (Chromium breaks after a space even before a word joiner)."""

SKIPPED_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "var", "rt", "rp", "script", "style"})
BLOCK_ELEMENTS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "summary"}
)

IDEOGRAPHIC = f"{HAN}{KANA_BOPOMOFO}"
IDEOGRAPH = re.compile(f"[{IDEOGRAPHIC}]")
LATIN_LETTERS = "A-Za-z0-9\u00c0-\u024f"
LATIN_RUN = re.compile(rf"[{LATIN_LETTERS}](?:[{LATIN_LETTERS} .,:;'’&+\-/%@#_!?]*[{LATIN_LETTERS}%])?")
OPENING = "（「『《〈【〔“‘"
CLOSING = "，。、；：？！）」』》〉】〕”’"
"""Full-width marks with half an em of blank on one side, which `halt` removes."""
IDENTIFIER = re.compile(r"(?=\S*[0-9_/.:@])(?=\S*[A-Za-z])\S{8,}|[0-9][0-9,.]{9,}")
"""A token with no word structure to hyphenate: an identifier, an accession number, an address, a long
number. It may break anywhere, without a hyphen, as Chinese typesetting allows for what cannot move whole
(latin_breaks.py)."""
URL_TEXT = re.compile(r"^(https?://|www\.)", re.IGNORECASE)


def is_address(text: str) -> bool:
    """Whether a link's text is its address: it starts as one once the typography's invisible break points
    and joiners are left out (an address already typeset holds them)."""
    return bool(URL_TEXT.match(text.replace("\u200b", "").replace(WORD_JOINER, "").strip()))


@dataclass
class Slot:
    """One run of text in the tree: an element's `.text` or its `.tail`, with what surrounds it."""

    element: etree._Element
    attribute: str  # "text" or "tail"

    @property
    def value(self) -> str:
        return getattr(self.element, self.attribute) or ""

    @property
    def owner(self) -> etree._Element:
        """The element the text belongs to (a tail belongs to the parent)."""
        return self.element if self.attribute == "text" else self.element.getparent()

    def replace(self, pieces: Sequence[str | etree._Element]) -> None:
        """Put strings and new elements where the text was, in order (one splice, so a paragraph
        with thousands of runs stays linear)."""
        leading: list[str] = []
        elements: list[etree._Element] = []
        tails: list[list[str]] = []
        for piece in pieces:
            if isinstance(piece, str):
                (tails[-1] if elements else leading).append(piece)
            else:
                elements.append(piece)
                tails.append([])
        if self.attribute == "text":
            parent, position = self.element, 0
        else:
            parent = self.element.getparent()
            position = parent.index(self.element) + 1
        setattr(self.element, self.attribute, "".join(leading) or None)
        for element, tail in zip(elements, tails, strict=True):
            element.tail = "".join(tail) or None
        parent[position:position] = elements


def is_skipped(element: etree._Element) -> bool:
    """Whether the element or one of its ancestors keeps typography out."""
    return any(isinstance(node.tag, str) and skips(node) for node in (element, *element.iterancestors()))


def text_slots(root: etree._Element) -> Iterator[Slot]:
    """Every text run under root, in document order (an element's tail after its content), that
    typography may change. The slots are listed first, so rules may rewrite them while iterating."""
    slots: list[Slot] = []

    def visit(element: etree._Element, skipped: bool) -> None:
        if element.text and not skipped:
            slots.append(Slot(element, "text"))
        for child in element:
            if isinstance(child.tag, str):
                visit(child, skipped or skips(child))
            if child.tail and not skipped:
                slots.append(Slot(child, "tail"))

    visit(root, is_skipped(root) if root.getparent() is not None else False)
    return iter(slots)


def skips(element: etree._Element) -> bool:
    """Whether typography stays out of this element (and everything inside it)."""
    if element.tag in SKIPPED_ELEMENTS or "nobreak" in (element.get("class") or "").split():
        return True  # a `nobreak` span holds an address's first or last characters (latin_breaks.py)
    return element.tag == "a" and is_address("".join(element.itertext()))


def span(css_class: str, text: str) -> etree._Element:
    span = etree.Element("span", {"class": css_class})
    span.text = text
    return span


def blocks(root: etree._Element) -> Iterator[etree._Element]:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS and not is_skipped(element):
            yield element


def neighbours(block: etree._Element, slots: list[Slot]) -> list[tuple[str, str]]:
    """For each of the block's slots, the character just before it and just after it in the block's text. Text
    typography leaves alone (code, an address shown as a link's text) still stands there: a Latin word before
    `<code>` touches the code, not the Chinese after it. Ruby readings do not (the base does), and a nested
    block (a list inside a list item) is a break."""
    sequence: list[Slot | str] = []

    def visit(element: etree._Element, skipped: bool) -> None:
        if element.text:
            sequence.append(element.text if skipped else Slot(element, "text"))
        for child in element:
            if isinstance(child.tag, str) and child.tag in ("rt", "rp"):
                pass
            elif isinstance(child.tag, str) and child.tag in BLOCK_ELEMENTS:
                sequence.append("\n")
            elif isinstance(child.tag, str):
                visit(child, skipped or skips(child))
            if child.tail:
                sequence.append(child.tail if skipped else Slot(child, "tail"))

    visit(block, False)
    values = [item if isinstance(item, str) else item.value for item in sequence]
    before, last = [], ""
    for value in values:
        before.append(last)
        last = value[-1] if value else last
    after, first = [], ""
    for value in reversed(values):
        after.append(first)
        first = value[0] if value else first
    after.reverse()
    around = {
        (id(item.element), item.attribute): (before[index], after[index])
        for index, item in enumerate(sequence)
        if isinstance(item, Slot)
    }
    return [around.get((id(slot.element), slot.attribute), ("", "")) for slot in slots]


def block_slots(block: etree._Element) -> list[Slot]:
    """The slots inside one block, not descending into nested blocks (a list inside a list item)."""
    slots = []
    for slot in text_slots(block):
        owner = slot.owner
        nested = next((a for a in (owner, *owner.iterancestors()) if a.tag in BLOCK_ELEMENTS), None)
        if nested is block and not (slot.attribute == "tail" and slot.element is block):
            slots.append(slot)
    return slots
