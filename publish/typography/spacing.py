"""The ¼-em gap between Chinese and Latin, and Latin runs in their own face.

In both books the gap is a real space, U+0020, put outside any inline element the run starts or ends (a
link's underline does not run under it): every engine removes a space at a line's edges, a reading system
without `text-autospace` (Kindle, Kobo, MuPDF, WebKit before Safari 18.4) included, and the PDF's
justification (internals/weasy/justify.py) widens it as it widens a space between words. Noto Serif CJK's is
0.256 em wide. The EPUB wraps each run in a span (its face; the vertical edition's upright numbers look for
it). The PDF needs no span for most runs: its Latin face comes by font fallback (`@font-face` with a
`unicode-range`, writers/look.py) and long words are hyphenated by the paragraph's own `hyphens`
(styles/pdf.css), so a run keeps a span only where it must be a box of its own — an identifier that may break
anywhere (latin_breaks.py), or a run holding a character the fallback would give the Chinese face (`’`).
Without a box per run, the bench book's PDF layout takes 7.4 % less CPU (issue 29)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from publish.cjk import in_latin_face
from publish.typography.slots import IDENTIFIER, IDEOGRAPH, LATIN_RUN, Slot, block_slots, blocks, neighbours, span


def cjk_latin_spacing(root: etree._Element) -> None:
    """The PDF's form: a space beside Chinese, as cjk_latin_spaces; a span only around the runs that need a
    box of their own (run_needs_span)."""
    _spaced(root, run_needs_span)


def run_needs_span(run: str) -> bool:
    """Whether the PDF sets a Latin run as a span: one that may break anywhere (an identifier, an address: its
    box gets `word-break: break-all`), or one holding a character outside the Latin face's `unicode-range`
    (publish/cjk.py), which the fallback would set in the Chinese face: the curly apostrophe of `Don’t`, a
    full-width mark in Chinese text."""
    plain = run.replace("\u200b", "").strip()
    return (" " not in plain and bool(IDENTIFIER.fullmatch(plain))) or any(
        not in_latin_face(char) for char in run if char != " "
    )


def cjk_latin_spaces(root: etree._Element) -> None:
    """The EPUB's form: Latin runs get a span (the vertical edition's upright numbers look for it) and a space
    beside Chinese, outside any inline element the run starts or ends (a link's underline does not run under
    it); none where the author wrote a space."""
    _spaced(root, lambda run: True)


def _spaced(root: etree._Element, needs_span: Callable[[str], bool]) -> None:
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
            run = text[start:end]
            pieces.append(span("latin", run) if needs_span(run) else run)
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
