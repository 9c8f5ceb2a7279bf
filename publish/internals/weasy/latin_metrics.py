"""Latin set in its face by font fallback keeps the line's height.

WeasyPrint gives a text box the height and baseline of the Pango line it holds: every face on the line counts.
With the Latin in Chinese text set by font fallback (writers/look.py), a line holding Latin in a face deeper
or taller than the Chinese one (DejaVu Serif chosen as the book's Latin face) was set 0.9 pt lower than the
others; the Latin spans had `line-height: 1` for this. A text box holding Latin is given the height and
baseline of its style's strut instead (a space, which the fallback leaves to the Chinese face), as a line of
Chinese alone has: the leading stays the same on every line, whatever the Latin face.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from weasyprint.layout import inline
from weasyprint.text import line_break

from publish.cjk import LATIN_FACE_CHAR


@contextmanager
def latin_keeps_the_line_height() -> Iterator[None]:
    """WeasyPrint's line splitting gives a text box holding Latin its strut's height and baseline; the
    original back on exit."""
    original_split = inline.split_first_line
    by_font: dict[str, tuple[float, float]] = {}
    by_style: dict[int, tuple[object, float, float]] = {}  # the style kept: its id is not reused meanwhile

    def strut_metrics(style) -> tuple[float, float]:
        found = by_style.get(id(style))
        if found is None:
            key = line_break._font_style_cache_key(style, include_size=True)
            if key not in by_font:
                layout = line_break.Layout(style)
                layout.set_text(" ")
                line, _ = layout.get_first_line()
                *_, height, baseline = line_break.first_line_metrics(line, "", layout, None, False, style)
                by_font[key] = (height, baseline)
            found = by_style[id(style)] = (style, *by_font[key])
        return found[1], found[2]

    @wraps(original_split)
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        result = original_split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        layout, length, resume_index, width, height, baseline = result
        if not style["font_size"] or not LATIN_FACE_CHAR.search(layout.text):
            return result
        strut_height, strut_baseline = strut_metrics(style)
        if (height, baseline) == (strut_height, strut_baseline):
            return result
        return layout, length, resume_index, width, strut_height, strut_baseline

    inline.split_first_line = split_first_line
    try:
        yield
    finally:
        inline.split_first_line = original_split
