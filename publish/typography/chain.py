"""Typeset: the CJK pass over a rendered chapter body — spacing, punctuation, emphasis, breaks.

The pass adds markup only (spans with classes the stylesheets style, and invisible joiners), never
characters a reader would copy. It never touches code, preformatted text, keyboard input, ruby readings,
link texts that are URLs, or attributes. Each rule is named and can be switched off; a profile says which
rules an output's engine needs (`EPUB_RULES`, `PDF_RULES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from lxml import etree

from publish.cjk import HAN, KANA_BOPOMOFO
from publish.model import Chapter
from publish.xhtml import inner_markup, parse_body

WORD_JOINER = "\u2060"
"""Forbids a line break on either side; invisible, and not extracted from the PDF."""

SKIPPED_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "var", "rt", "rp", "script", "style"})
BLOCK_ELEMENTS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "summary"}
)

_IDEOGRAPHIC = f"{HAN}{KANA_BOPOMOFO}"
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPHIC}]")
LATIN_LETTERS = "A-Za-z0-9\u00c0-\u024f"
_LATIN_RUN = re.compile(rf"[{LATIN_LETTERS}](?:[{LATIN_LETTERS} .,:;'’&+\-/%@#_!?]*[{LATIN_LETTERS}%])?")
OPENING = "（「『《〈【〔“‘"
CLOSING = "，。、；：？！）」』》〉】〕”’"
"""Full-width marks with half an em of blank on one side, which `halt` removes."""
_URL_TEXT = re.compile(r"^(https?://|www\.)", re.IGNORECASE)


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


def _skipped(element: etree._Element) -> bool:
    """Whether the element or one of its ancestors keeps typography out."""
    return any(isinstance(node.tag, str) and _skips(node) for node in (element, *element.iterancestors()))


def text_slots(root: etree._Element) -> Iterator[Slot]:
    """Every text run under root, in document order (an element's tail after its content), that
    typography may change. The slots are listed first, so rules may rewrite them while iterating."""
    slots: list[Slot] = []

    def visit(element: etree._Element, skipped: bool) -> None:
        if element.text and not skipped:
            slots.append(Slot(element, "text"))
        for child in element:
            if isinstance(child.tag, str):
                visit(child, skipped or _skips(child))
            if child.tail and not skipped:
                slots.append(Slot(child, "tail"))

    visit(root, _skipped(root) if root.getparent() is not None else False)
    return iter(slots)


def _skips(element: etree._Element) -> bool:
    """Whether typography stays out of this element (and everything inside it)."""
    if element.tag in SKIPPED_ELEMENTS:
        return True
    return element.tag == "a" and bool(_URL_TEXT.match("".join(element.itertext()).strip()))


def _span(css_class: str, text: str) -> etree._Element:
    span = etree.Element("span", {"class": css_class})
    span.text = text
    return span


def _blocks(root: etree._Element) -> Iterator[etree._Element]:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS and not _skipped(element):
            yield element


def _neighbours(slots: list[Slot]) -> list[tuple[str, str]]:
    """For each slot, the character just before it and just after it within the same block."""
    before, last = [], ""
    for slot in slots:
        before.append(last)
        last = slot.value[-1] if slot.value else last
    after, first = [], ""
    for slot in reversed(slots):
        after.append(first)
        first = slot.value[0] if slot.value else first
    return list(zip(before, reversed(after), strict=True))


def _block_slots(block: etree._Element) -> list[Slot]:
    """The slots inside one block, not descending into nested blocks (a list inside a list item)."""
    slots = []
    for slot in text_slots(block):
        owner = slot.owner
        nested = next((a for a in (owner, *owner.iterancestors()) if a.tag in BLOCK_ELEMENTS), None)
        if nested is block and not (slot.attribute == "tail" and slot.element is block):
            slots.append(slot)
    return slots


def cjk_latin_spacing(root: etree._Element) -> None:
    """Latin runs get a span (their own face, lining figures) and a ¼-em gap beside Chinese, as a
    margin that the PDF drops at line edges (publish/justify.py); none where the author wrote a space."""
    for block in _blocks(root):
        slots = _block_slots(block)
        for slot, (before, after) in zip(slots, _neighbours(slots), strict=True):
            text = slot.value
            if not _LATIN_RUN.search(text) or slot.owner.get("class", "").startswith("latin"):
                continue
            pieces: list[str | etree._Element] = []
            cursor = 0
            for match in _LATIN_RUN.finditer(text):
                prev_char = text[match.start() - 1] if match.start() > 0 else before
                next_char = text[match.end()] if match.end() < len(text) else after
                gap_before = bool(_IDEOGRAPH.match(prev_char or " "))
                gap_after = bool(_IDEOGRAPH.match(next_char or " "))
                classes = "latin" + (" gap-before" if gap_before else "") + (" gap-after" if gap_after else "")
                pieces.append(text[cursor : match.start()])
                pieces.append(_span(classes, match[0]))
                cursor = match.end()
            pieces.append(text[cursor:])
            slot.replace([p for p in pieces if not isinstance(p, str) or p])


def punctuation_compression(root: etree._Element) -> None:
    """Two adjacent full-width marks take 1.5 em: the one whose blank half faces the other gets `halt`.
    Pairs across inline elements count too (`期：<a>“标题”</a>`)."""
    marks = CLOSING + OPENING
    for block in _blocks(root):
        slots = _block_slots(block)
        targets: list[list[int]] = []
        for slot, (before, after) in zip(slots, _neighbours(slots), strict=True):
            text = slot.value
            context = (before or " ") + text + (after or " ")
            found = []
            for index in range(len(context) - 1):
                first, second = context[index], context[index + 1]
                if first in marks and second in marks:
                    target = index + 1 if first in OPENING and second in OPENING else index
                    if 1 <= target <= len(text):
                        found.append(target - 1)
            targets.append(sorted(set(found)))
        for slot, found in zip(slots, targets, strict=True):
            if not found or "halt" in (slot.owner.get("class") or "").split():
                continue
            text = slot.value
            pieces: list[str | etree._Element] = []
            cursor = 0
            for target in found:
                pieces += [text[cursor:target], _span("halt", text[target])]
                cursor = target + 1
            pieces.append(text[cursor:])
            slot.replace([p for p in pieces if not isinstance(p, str) or p])


def emphasis_dots(root: etree._Element) -> None:
    """For engines without `text-emphasis`: each ideograph of an `<em>` in its own span, dotted by CSS."""
    for em in list(root.iter("em")):
        for slot in [s for s in text_slots(em) if s.owner is em or em in s.owner.iterancestors()]:
            if (slot.element is em and slot.attribute == "tail") or slot.owner.get("class") == "emphasis-dot":
                continue
            text = slot.value
            pieces: list[str | etree._Element] = []
            for char in text:
                if _IDEOGRAPH.match(char):
                    pieces.append(_span("emphasis-dot", char))
                elif pieces and isinstance(pieces[-1], str):
                    pieces[-1] += char
                else:
                    pieces.append(char)
            slot.replace(pieces)


def orphan_binding(root: etree._Element) -> None:
    """No paragraph ends with one character alone on its line: join its last two characters."""
    for block in _blocks(root):
        if block.tag not in ("p", "li", "dd", "figcaption") or block.find("p") is not None:
            continue
        slots = _block_slots(block)
        positions = [(slot, i) for slot in slots for i, c in enumerate(slot.value) if _IDEOGRAPH.match(c)]
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


_SHORT_NUMBER = re.compile(r"\d{1,2}")


def upright_numbers(root: etree._Element) -> None:
    """In vertical text, a number of one or two digits stands upright in one character's space
    (縦中横, `text-combine-upright`), instead of lying on its side like longer Latin runs."""
    for span in root.iter("span"):
        classes = (span.get("class") or "").split()
        if "latin" in classes and len(span) == 0 and _SHORT_NUMBER.fullmatch(span.text or ""):
            span.set("class", "tcy")


def footnote_binding(root: etree._Element) -> None:
    """A footnote mark never starts a line: join it to the character before it."""
    for sup in root.iter("sup"):
        if "footnote-ref" not in (sup.get("class") or ""):
            continue
        previous, parent = sup.getprevious(), sup.getparent()
        owner, attribute = (previous, "tail") if previous is not None else (parent, "text")
        text = getattr(owner, attribute) or ""
        if not text.endswith(WORD_JOINER):
            setattr(owner, attribute, text + WORD_JOINER)


Rule = Callable[[etree._Element], None]
RULES: dict[str, Rule] = {
    "cjk_latin_spacing": cjk_latin_spacing,
    "punctuation_compression": punctuation_compression,
    "upright_numbers": upright_numbers,
    "emphasis_dots": emphasis_dots,
    "orphan_binding": orphan_binding,
    "footnote_binding": footnote_binding,
}
"""All rules, in the order they run."""

EPUB_RULES = ("cjk_latin_spacing", "punctuation_compression", "orphan_binding", "footnote_binding")
"""Reading systems justify CJK and draw `text-emphasis` themselves."""
PDF_RULES = ("cjk_latin_spacing", "punctuation_compression", "emphasis_dots", "orphan_binding")


def typeset_markup(markup: str, rules: Sequence[str]) -> str:
    """Apply the named rules, in RULES order, to a body fragment of XHTML markup."""
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown typography rules: {', '.join(sorted(unknown))}")
    root = parse_body(markup)
    for name, rule in RULES.items():
        if name in rules:
            rule(root)
    return inner_markup(root)


def typeset_chapter(chapter: Chapter, rules: Sequence[str]) -> Chapter:
    """The chapter with its body, title and description typeset for one output."""
    inline_rules = [r for r in rules if r not in ("orphan_binding", "footnote_binding")]
    return replace(
        chapter,
        body=typeset_markup(chapter.body, rules),
        title_html=_typeset_inline(chapter.title_html, inline_rules),
        description_html=_typeset_inline(chapter.description_html, inline_rules),
    )


def _typeset_inline(markup: str, rules: Sequence[str]) -> str:
    """Typeset a line of text (a title) as if it were a paragraph, and return its content."""
    typeset = typeset_markup(f"<p>{markup}</p>", rules)
    return typeset.removeprefix("<p>").removesuffix("</p>") if typeset != "<p/>" else ""
