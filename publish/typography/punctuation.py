"""Adjacent full-width punctuation compressed to 1.5 em (`halt` on the mark whose blank faces the other)."""

from __future__ import annotations

from lxml import etree

from publish.typography.slots import CLOSING, OPENING, WORD_JOINER, block_slots, blocks, neighbours, span


def punctuation_compression(root: etree._Element) -> None:
    """Two adjacent full-width marks take 1.5 em: the one whose blank half faces the other gets `halt`.
    Pairs across inline elements count too (`期：<a>“标题”</a>`)."""
    marks = CLOSING + OPENING
    for block in blocks(root):
        slots = block_slots(block)
        targets: list[list[int]] = []
        for slot, (before, after) in zip(slots, neighbours(block, slots), strict=True):
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
                pieces += [text[cursor:target], span("halt", text[target])]
                cursor = target + 1
            pieces.append(text[cursor:])
            slot.replace([p for p in pieces if not isinstance(p, str) or p])


_CODE_TAGS = frozenset({"code", "kbd", "samp"})


def code_punctuation_binding(root: etree._Element) -> None:
    """Closing punctuation right after inline code (`<code>Solara</code>。`) is joined to it with a word
    joiner: Chromium breaks between a code element and the mark that follows, and starts the next line with
    the mark (found at 320 px in the sample and the corpus); UAX #14 breaks on neither side of a joiner."""
    for element in root.iter(*_CODE_TAGS):
        if element.getparent() is None or element.getparent().tag == "pre":
            continue
        tail = element.tail or ""
        following = element.getnext()
        if tail:
            if tail[0] in CLOSING:
                element.tail = WORD_JOINER + tail
        elif following is not None and (following.text or "")[:1] in CLOSING and following.tag == "span":
            element.tail = WORD_JOINER
