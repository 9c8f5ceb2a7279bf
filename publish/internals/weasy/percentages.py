"""WeasyPrint's used margins, paddings, sizes and borders of a box, remembered per style (issue 18).

WeasyPrint 70 resolves them again every time a box is laid out (each layout pass, each try at a page or line
break, each content-width measurement): about a million property reads for a year's PDF. What it computes
depends only on the box's style, the containing block's width and height and whether the box is a page, so
the first result for a style and containing block is kept and set again on the next box that asks. Boxes in
tables with collapsed borders are left to WeasyPrint (their border widths come from the table's
conflict resolution, not from the style).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint.formatting_structure import boxes
from weasyprint.layout import absolute, block, column, grid, inline, page, percent, table
from weasyprint.layout import float as floats

_USED = (
    "margin_left",
    "margin_right",
    "margin_top",
    "margin_bottom",
    "padding_left",
    "padding_right",
    "padding_top",
    "padding_bottom",
    "width",
    "min_width",
    "max_width",
    "height",
    "min_height",
    "max_height",
    "border_top_width",
    "border_right_width",
    "border_bottom_width",
    "border_left_width",
)
"""Every attribute resolve_percentages sets on the box."""

_USERS = (absolute, block, column, floats, grid, inline, page, table)
"""The modules that imported resolve_percentages by name."""


@contextmanager
def percentages_remembered() -> Iterator[None]:
    """While entered, resolve_percentages is answered from what it gave before for the same style and
    containing block; the original is back on exit (and what was remembered forgotten)."""
    original = percent.resolve_percentages
    remembered: dict[tuple, tuple] = {}

    def resolve_percentages(box: boxes.Box, containing_block: object) -> None:
        style = box.style
        if isinstance(containing_block, boxes.Box):
            size = (containing_block.width, containing_block.height)
        else:
            size = tuple(containing_block)  # type: ignore[arg-type]
        key = (id(style), *size, isinstance(box, boxes.PageBox))
        found = remembered.get(key)
        if found is not None and found[0] is style:
            for name, value in zip(_USED, found[1], strict=True):
                setattr(box, name, value)
            return
        original(box, containing_block)
        if style["border_collapse"] != "collapse":
            remembered[key] = (style, tuple(getattr(box, name) for name in _USED))

    for module in (percent, *_USERS):
        module.resolve_percentages = resolve_percentages
    try:
        yield
    finally:
        for module in (percent, *_USERS):
            module.resolve_percentages = original
