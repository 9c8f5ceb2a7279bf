"""Justify Chinese in WeasyPrint: stretch at zero-width spaces too, and drop CJK–Latin gaps at line edges.

WeasyPrint 70 justifies a line by widening only its spaces, so a line of Chinese (no spaces) stays ragged
and a line with one Latin word puts all the slack into that one space. The typography stage marks every
break opportunity between Chinese characters with U+200B; this module teaches WeasyPrint to count those
as expandable and to widen them by the same amount as a space. It patches two functions of WeasyPrint's
line layout and is written against exactly one WeasyPrint version, checked on install.

The quarter-em gap between Chinese and Latin is a margin on the Latin run's span (`gap-before`,
`gap-after`); a margin that lands at the start or end of a line is removed before the line is aligned,
and the line's content shifted, so that no line starts or ends with a gap.
"""

from __future__ import annotations

import itertools
import re
from functools import wraps

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

SUPPORTED_WEASYPRINT = "70.0"
ZERO_WIDTH_SPACE = "\u200b"
_ZWSP_BYTES = re.compile(ZERO_WIDTH_SPACE.encode())
EMPTY_GLYPH_DRAW_SCALE = 1024 / 1000
"""WeasyPrint 70 draws the advance of an empty glyph (what U+200B shapes to) as its width in Pango units
divided by 1000, where a Pango unit is 1/1024: the drawn gap is 2.4 % wider than laid out. The spacing
given to Pango is divided by this, so the drawn line is the width WeasyPrint laid out."""
_installed = False


class UnsupportedWeasyPrint(RuntimeError):
    pass


def _stretchable_zero_width_spaces(text: str) -> int:
    """U+200B that may be widened: all but one ending the text (it would only push the line end)."""
    return text.count(ZERO_WIDTH_SPACE) - text.endswith(ZERO_WIDTH_SPACE)


def _classes(box: boxes.Box) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


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


def install() -> None:
    """Patch WeasyPrint's justification once per process; refuse any other WeasyPrint version."""
    global _installed
    if _installed:
        return
    if weasyprint.__version__ != SUPPORTED_WEASYPRINT:
        raise UnsupportedWeasyPrint(
            f"publish/justify.py is written against WeasyPrint {SUPPORTED_WEASYPRINT}, "
            f"not {weasyprint.__version__}: pin weasyprint=={SUPPORTED_WEASYPRINT}"
        )
    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text
    original_text_align = inline.text_align

    @wraps(original_text_align)
    def text_align(context, line: boxes.LineBox, available_width: float, last: bool) -> float:
        trim_edge_gaps(line)
        return original_text_align(context, line, available_width, last)

    @wraps(original_count)
    def count_expandable_spaces(box: boxes.Box) -> int:
        # The original recurses into line and inline boxes through the module global, i.e. this function.
        count = original_count(box)
        if isinstance(box, boxes.TextBox):
            count += _stretchable_zero_width_spaces(box.text)
        return count

    @wraps(original_set_text)
    def set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        if not (justify and self.justification_spacing and ZERO_WIDTH_SPACE in self.text):
            return
        encoded = self.text.encode()
        attributes = pango.pango_layout_get_attributes(self.layout)
        if attributes == ffi.NULL:
            attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        spacing = round(self.justification_spacing * TO_UNITS / EMPTY_GLYPH_DRAW_SCALE)
        for match in _ZWSP_BYTES.finditer(encoded):
            if match.end() == len(encoded):
                continue
            # Pango gives a run's first cluster only half of its letter spacing.
            factor = 2 if match.start() == 0 else 1
            attribute = pango.pango_attr_letter_spacing_new(spacing * factor)
            attribute.start_index, attribute.end_index = match.start(), match.end()
            pango.pango_attr_list_change(attributes, attribute)
        pango.pango_layout_set_attributes(self.layout, attributes)

    inline.count_expandable_spaces = count_expandable_spaces
    inline.text_align = text_align
    line_break.Layout.set_text = set_text
    _installed = True
