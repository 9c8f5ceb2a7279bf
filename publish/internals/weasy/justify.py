"""Justify Chinese in WeasyPrint: stretch between Chinese characters too, and drop CJK–Latin gaps at line edges.

WeasyPrint 70 justifies a line by widening only its spaces, so a line of Chinese (no spaces) stays ragged
and a line with one Latin word puts all the slack into that one space. This module makes WeasyPrint count
every gap between the characters of a Chinese text run as expandable, and gives each the same widening
as a space, as one Pango letter-spacing attribute over the run (one attribute keeps the run one shaping
item: a zero-width space at each gap, the earlier way, cost a quarter of the layout time). It patches
WeasyPrint's line layout and text drawing, for the WeasyPrint version publish/internals/weasy/ checks.

Latin inside a run of Chinese (set in the Latin face by font fallback, typography/spacing.py) gets none of
that letter spacing (no attribute over it at all), and its word spaces, like the space that is the quarter-em
gap between Chinese and Latin, widen as spaces do. Where the face changes, the adjustments after the last
glyph of WeasyPrint's text array are carried to the next one (PDFium drops them).

Where the gap is a margin on a span (`gap-before`, `gap-after`: the page templates' numbers), a margin that
lands at the start or end of a line is removed before the line is aligned, and the line's content shifted,
so that no line starts or ends with a gap.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from weasyprint.draw import text as draw_text
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.constants import PANGO_WRAP_MODE
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from publish.cjk import CJK_CHAR, LATIN_FACE_CHAR, LATIN_FACE_CLASS
from publish.xhtml import classes

SPACE_WEIGHT = 5
"""A space between words takes this many times the widening of a gap between hanzi: a line holding Latin
words puts its slack in the word spaces first, as a Latin typesetter would, and keeps the hanzi close."""

_JOINED_MARKS = re.compile("——|……")
"""Pairs the CJK face shapes as one mark (a ligature): no letter spacing falls between them."""


_ZERO_WIDTH = re.compile("[\u200b\u2060]")
"""Break opportunities and joiners the typography adds: they take no justification spacing of their own, or
the two characters they sit between would end up twice as far apart as their neighbours."""


_LATIN_RUNS = re.compile(f"[{LATIN_FACE_CLASS}]+")
_UNSPREAD = re.compile(f"[ \u00a0{LATIN_FACE_CLASS}]")
"""What takes no share of a Chinese run's letter spacing: spaces (theirs is their own) and Latin."""


def _stretchable_gaps(text: str) -> float:
    """What the run's letter spacing widens it by, in justification spacings: each character gets one, except
    the invisible joiners and break marks (none), Latin (none: _spread_cjk_run) and the spaces (WeasyPrint
    counts them itself); Pango gives the characters at either end of the run half of it (measured: an invisible mark at
    an end does not change that), and a pair the face shapes as one mark is one. A run that starts or ends
    with a space (` ，联系方式是 `, an author's space before a Latin word) gives its end characters their whole
    spacing: counted as n - 1, such a line came out half a spacing wider than its measure for each spaced end
    (0.9 pt past the edge, seen in LXGW WenKai)."""
    text = _ZERO_WIDTH.sub("", text).rstrip("\n")
    spread = len(_UNSPREAD.sub("", text))
    halves = sum(0.5 for end in (text[:1], text[-1:]) if end and not _UNSPREAD.match(end))
    return max(spread - halves - len(_JOINED_MARKS.findall(text)), 0)


def _classes(box: boxes.Box) -> list[str]:
    element = getattr(box, "element", None)
    return classes(element) if element is not None else []


def _edge_path(line: boxes.LineBox, first: bool) -> list[boxes.Box]:
    """The boxes from the line down to its first (or last) leaf, line excluded."""
    path: list[boxes.Box] = []
    box: boxes.Box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        children = [child for child in box.children if child.is_in_normal_flow()]
        if not children:
            break
        box = children[0] if first else children[-1]
        path.append(box)
    return path


def _widened_gaps(box: boxes.InlineBox) -> tuple[str, ...]:
    """The CJK–Latin gap margins of a span still on its line (trim_edge_gaps zeroes those at its edges)."""
    names = _classes(box)
    return tuple(
        name
        for name, margin in (("gap-before", box.margin_left), ("gap-after", box.margin_right))
        if margin and name in names
    )


def trim_edge_gaps(line: boxes.LineBox) -> None:
    """Remove a gap margin that starts or ends the line, shifting what follows it on the line."""
    parents: list[boxes.Box] = [line, *_edge_path(line, first=True)]
    for depth, box in enumerate(parents[1:], start=1):
        if isinstance(box, boxes.InlineBox) and box.margin_left and "gap-before" in _classes(box):
            shift = box.margin_left
            box.margin_left = 0
            for child in box.children:
                child.translate(-shift)
            for parent, node in itertools.pairwise(parents[: depth + 1]):
                for sibling in parent.children[parent.children.index(node) + 1 :]:
                    sibling.translate(-shift)
                parent.width -= shift
            break
    parents = [line, *_edge_path(line, first=False)]
    for depth, box in enumerate(parents[1:], start=1):
        if isinstance(box, boxes.InlineBox) and box.margin_right and "gap-after" in _classes(box):
            shift = box.margin_right
            box.margin_right = 0
            for parent in parents[:depth]:
                parent.width -= shift
            break


class _KerningRounder:
    """Stands in for `int` in WeasyPrint's text drawing, where it truncates each glyph's spacing to whole
    thousandths of an em: justified lines then end up to a third of a point short. Rounding with the
    remainder carried to the next glyph keeps every glyph within a thousandth of an em of its place."""

    def __init__(self) -> None:
        self.carried = 0.0

    def __call__(self, value: object) -> int:
        if not isinstance(value, float) or abs(value) > 100_000:
            return int(value)  # type: ignore[call-overload]
        total = value + self.carried
        rounded = round(total)
        self.carried = total - rounded
        return rounded


def _attributes(layout: line_break.Layout) -> object:
    """The layout's attribute list, a new one if it has none (set it back with pango_layout_set_attributes)."""
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    return attributes


def _spaces_apart(layout: line_break.Layout) -> None:
    """Each space a shaping run of its own, as justification makes it (a letter-spacing attribute of none):
    Pango sets a space in the face of the character before it where it can, so in one run `A ` takes the
    Latin face's space and in runs apart the Chinese face's (the Latin face's `unicode-range` leaves the space
    out); measured one way and drawn the other, a justified line came out a few hundredths of a point long
    for each space after a Latin word."""
    attributes = _attributes(layout)
    for match in re.finditer(b" ", layout.text.encode()):
        space = pango.pango_attr_letter_spacing_new(0)
        space.start_index, space.end_index = match.start(), match.end()
        pango.pango_attr_list_change(attributes, space)
    pango.pango_layout_set_attributes(layout.layout, attributes)


def _spread_cjk_run(layout: line_break.Layout, spacing: float) -> None:
    """One letter-spacing attribute over each stretch of Chinese widens every gap between its characters; the
    spaces get theirs again on top of it, as the original set them (it counts a space at either end twice);
    the invisible joiners and break marks get none, and the Latin set in its face by fallback no attribute at
    all: Pango turns a word's ligatures off under any letter spacing, even none (`Makefile` lost its `fi`
    when justified, and the line came out 0.7 pt long)."""
    attributes = _attributes(layout)
    text = layout.text
    encoded = text.encode()
    cursor = 0
    for match in [*_LATIN_RUNS.finditer(text), None]:
        end = match.start() if match else len(text)
        if end > cursor:
            start_index = len(text[:cursor].encode())
            attribute = pango.pango_attr_letter_spacing_new(round(spacing * TO_UNITS))
            attribute.start_index, attribute.end_index = start_index, start_index + len(text[cursor:end].encode())
            pango.pango_attr_list_change(attributes, attribute)
        cursor = match.end() if match else cursor
    word_spacing = layout.style["word_spacing"] + spacing * SPACE_WEIGHT
    for match in re.finditer(" |\u00a0".encode(), encoded):
        factor = 1 + (match.start() in (0, len(encoded) - 1))
        space = pango.pango_attr_letter_spacing_new(round(factor * word_spacing * TO_UNITS))
        space.start_index, space.end_index = match.start(), match.end()
        pango.pango_attr_list_change(attributes, space)
    for match in _ZERO_WIDTH.finditer(text):
        start = len(text[: match.start()].encode())
        none = pango.pango_attr_letter_spacing_new(0)
        none.start_index, none.end_index = start, start + len(match[0].encode())
        pango.pango_attr_list_change(attributes, none)
    pango.pango_layout_set_attributes(layout.layout, attributes)


_NUMBER = re.compile(r"-?[0-9.]+(?:e-?[0-9]+)?")
_NUMBER_CHARACTERS = frozenset("0123456789.-e")


def _trailing_adjustments(text: str) -> int:
    """Where the adjustments and empty strings after an array's last glyph start (read from the end: a
    regular expression over the whole array backtracks through its hexadecimal glyph codes)."""
    start = len(text)
    while start > 0:
        if text.endswith("<>", 0, start):
            start -= 2
            continue
        if text[start - 1] == " ":
            start -= 1
            continue
        number = start
        while number > 0 and text[number - 1] in _NUMBER_CHARACTERS:
            number -= 1
        if number < start and (number == 0 or text[number - 1] in "> "):
            start = number
            continue
        break
    return start


def _adjustments_carried(show_text: Callable[[str], None]) -> Callable[[str], None]:
    """The line's text shown so that no text-showing array ends with position adjustments: those after its
    last glyph (numbers, and the empty strings WeasyPrint writes for invisible glyphs) are carried, summed,
    to the start of the next array. WeasyPrint ends an array where the font changes, and the last glyph's
    letter spacing, widened space or `halt` is then at its end; poppler moves the next glyph by it, PDFium
    (Chrome's viewer; publish typo-report reads with it) does not, and there the Latin word after a widened
    space was drawn half a space too far left, and after a halved mark half an em too far right."""
    carried = 0.0

    def show(text: str) -> None:
        nonlocal carried
        start = _trailing_adjustments(text)
        kept = text[:start]
        if kept:
            show_text((f"{carried:g} " if carried else "") + kept)
        carried = (0.0 if kept else carried) + sum(float(n) for n in _NUMBER.findall(text[start:]))

    return show


@contextmanager
def justification() -> Iterator[None]:
    """WeasyPrint's line layout, justification and text drawing patched as this module's docstring says;
    the originals back on exit."""
    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text
    original_text_align = inline.text_align
    original_draw_first_line = draw_text.draw_first_line
    original_add_word_spacing = inline.add_word_spacing

    @wraps(original_text_align)
    def text_align(context, line: boxes.LineBox, available_width: float, last: bool) -> float:
        trim_edge_gaps(line)
        return original_text_align(context, line, available_width, last)

    @wraps(original_count)
    def count_expandable_spaces(box: boxes.Box) -> int:
        # The original recurses into line and inline boxes through the module global, i.e. this function.
        if isinstance(box, boxes.InlineBox):
            return original_count(box) + SPACE_WEIGHT * len(_widened_gaps(box))
        if not isinstance(box, boxes.TextBox):
            return original_count(box)
        if not CJK_CHAR.search(box.text):
            return SPACE_WEIGHT * original_count(box)
        return SPACE_WEIGHT * original_count(box) + _stretchable_gaps(box.text)

    @wraps(original_set_text)
    def set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
        if self.style["word_break"] == "break-all":
            # WeasyPrint breaks such text between characters only when no ordinary break fits; an address
            # or identifier (typography/latin_breaks.py) should fill its line instead.
            pango.pango_layout_set_wrap(self.layout, PANGO_WRAP_MODE["WRAP_CHAR"])
        spacing = self.justification_spacing
        if not (justify and spacing):
            original_set_text(self, text, justify)
            if " " in self.text and LATIN_FACE_CHAR.search(self.text):
                _spaces_apart(self)
            return
        self.justification_spacing = spacing * SPACE_WEIGHT  # what the original gives each space
        try:
            original_set_text(self, text, justify)
        finally:
            self.justification_spacing = spacing
        if CJK_CHAR.search(self.text):
            _spread_cjk_run(self, spacing)

    @wraps(original_add_word_spacing)
    def add_word_spacing(context, box: boxes.Box, justification_spacing: float, x_advance: float) -> float:
        gaps = _widened_gaps(box) if isinstance(box, boxes.InlineBox) else ()
        if not gaps:
            return original_add_word_spacing(context, box, justification_spacing, x_advance)
        # A CJK–Latin gap widens like a word space: its margin grows, and what follows it moves as much.
        before = SPACE_WEIGHT * justification_spacing if "gap-before" in gaps else 0.0
        after = SPACE_WEIGHT * justification_spacing if "gap-after" in gaps else 0.0
        box.margin_left += before
        x_advance = original_add_word_spacing(context, box, justification_spacing, x_advance + before)
        box.position_x -= before  # the margin box starts where it did; its content moved
        box.margin_right += after
        return x_advance + after

    rounder = _KerningRounder()

    @wraps(original_draw_first_line)
    def draw_first_line(stream, *args: object, **kwargs: object) -> object:
        rounder.carried = 0.0  # each line starts from its own origin: the same text draws the same way
        stream.show_text = _adjustments_carried(stream.show_text)
        try:
            return original_draw_first_line(stream, *args, **kwargs)
        finally:
            del stream.show_text

    shadowed_int = vars(draw_text).get("int")
    draw_text.int = rounder
    draw_text.draw_first_line = draw_first_line
    inline.count_expandable_spaces = count_expandable_spaces
    inline.text_align = text_align
    inline.add_word_spacing = add_word_spacing
    line_break.Layout.set_text = set_text
    try:
        yield
    finally:
        if shadowed_int is None:
            del draw_text.int  # the module uses the builtin again
        else:
            draw_text.int = shadowed_int
        draw_text.draw_first_line = original_draw_first_line
        inline.count_expandable_spaces = original_count
        inline.text_align = original_text_align
        inline.add_word_spacing = original_add_word_spacing
        line_break.Layout.set_text = original_set_text
