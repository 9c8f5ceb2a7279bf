"""Break lines where the break fits: inside an inline box with a left margin, and inside an earlier box.

WeasyPrint 70 lays out the content of an inline box as if its left margin (padding, border) were not there,
and moves the content right by it afterwards: a span with a quarter-em CJK–Latin gap before it that must
break then overflows the line by the gap, and the whole span goes to the next line, leaving its line loose
(`……发表文章` / `A genome-wide spectrum of …`). Here such a box's content is laid out in the width left
after its margin.

And when a box overflows a line and no break may fall between it and the box before (`紫杉醇（` then a span
`Paclitaxel`), WeasyPrint 70 looks for a break inside the waiting
boxes, starting from each box's own end: it finds the box's last break point (`Paclitax-el`), which does not
fit the line either, and falls back to breaking before all of them, leaving the line loose. Here each
waiting box is offered to that search clipped at the line's end, so the break found is the last one that
fits (`（Pac-`): hyphenation and the break points of long words then work after an opening bracket too.
That search also skipped a box whose text has no UAX #14 break, even under `word-break: break-all`, which
allows a break between any two characters (`NM_006218.2:p.E545K` before `，`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline

_MAX_X = 2
_WAITING_CHILDREN = 11
"""Positions of the arguments of `_break_waiting_children` read here (it is only ever called positionally)."""


@contextmanager
def breaks_that_fit() -> Iterator[None]:
    """The fixes, the originals back on exit."""
    original = inline._break_waiting_children

    @wraps(original)
    def break_waiting_children(*args):
        # WeasyPrint 70's signature: (context, box, max_x, …, children, waiting_children, *styles).
        arguments = list(args)
        max_x, waiting_children = arguments[_MAX_X], arguments[_WAITING_CHILDREN]
        clipped = []
        for index, child, original_child in waiting_children:
            excess = child.position_x + child.margin_width() - max_x
            if excess > 0 and child.is_in_normal_flow() and child.width > excess:
                child = child.copy()  # shallow: only the width the search starts from changes
                child.width -= excess
            clipped.append((index, child, original_child))
        arguments[_WAITING_CHILDREN] = clipped
        return original(*arguments)

    original_split = inline.split_inline_box
    original_can_break_inside = inline.can_break_inside

    @wraps(original_can_break_inside)
    def can_break_inside(box) -> bool:
        # `word-break: break-all` text breaks between any two characters, whatever UAX #14 says of it.
        if isinstance(box, boxes.TextBox) and box.style["word_break"] == "break-all" and len(box.text) > 1:
            return box.style["white_space"] in ("normal", "pre-wrap", "pre-line")
        return original_can_break_inside(box)

    @wraps(original_split)
    def split_inline_box(context, box, position_x, max_x, bottom_space, skip_stack, *rest):
        if isinstance(box, boxes.InlineBox) and skip_stack is None and box.style["direction"] == "ltr":
            max_x -= box.padding_left + box.margin_left + box.border_left_width
        return original_split(context, box, position_x, max_x, bottom_space, skip_stack, *rest)

    inline._break_waiting_children = break_waiting_children
    inline.split_inline_box = split_inline_box
    inline.can_break_inside = can_break_inside
    try:
        yield
    finally:
        inline._break_waiting_children = original
        inline.split_inline_box = original_split
        inline.can_break_inside = original_can_break_inside
