"""Shrink punctuation before stretching a line (clreq §3.5.3–3.5.4): a full-width mark at a line's end, and if
need be the marks inside the line, set to half an em so that one more piece of text fits.

WeasyPrint 70 only ever widens a line to justify it. A line of Chinese whose next piece cannot start a line
(`处理` before `，`), or whose next piece is an unbreakable run (`.yaml、`, `一致。”` kept whole by the orphan
rule), goes short and is stretched: up to 0.2 em between every two hanzi. A typesetter first takes the
blank half of the punctuation: the mark that ends the line is set to ½ em (its blank half would have stood
past the text block's edge anyway), then, if that is not enough, the marks inside the line, from the last.
Only when more text fits this way is anything compressed; a line that ends in a mark on its own keeps it
whole (justification is not made looser to halve it).

The halving is the font's `halt` feature on the mark, the same as a `.halt` span. It is remembered on the
text box's Pango layout (`halved`: indices into its text) and laid on again whenever WeasyPrint sets that
text anew (to justify the line, to draw it): WeasyPrint keeps no Pango attributes of its own between.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from publish.typography.slots import CLOSING, OPENING

HALF = 0.5
"""What `halt` takes from a full-width mark, in ems."""

MOST_HALVED = 3
"""Marks halved in one line at most: more, and the line's punctuation would read as another style (开明式)."""

_INVISIBLE_END = " \u200b\u2060"
"""Break marks, joiners and spaces that may follow a line's last visible character."""

_HALVABLE = frozenset(CLOSING + OPENING)
_EPSILON = 0.01


def _halvable_indices(text: str, finished: bool) -> list[int]:
    """Indices of the marks that may be halved, the line's last first: when the last visible character is a
    closing mark (the one the line ends on), it and the marks before it; otherwise, when the piece of text
    ends on this line at a break (`finished`), the marks inside it, at most MOST_HALVED - 1 of them
    (`…lang=zh ，联系方式是 ` takes its last word when its comma is halved, rather than leave it for the next
    line and stretch the rest)."""
    visible = text.rstrip(_INVISIBLE_END)
    if not visible:
        return []
    indices = [index for index in range(len(visible) - 1, -1, -1) if visible[index] in _HALVABLE]
    # A mark beside another is left as it is: the pair is already 1.5 em (typography/punctuation.py), and
    # halved again it would be too tight. Only the line's last mark may follow one.
    kept = [
        index
        for index in indices
        if not (index > 0 and visible[index - 1] in _HALVABLE)
        and not (index + 1 < len(visible) and visible[index + 1] in _HALVABLE and index != len(visible) - 1)
    ]
    if visible[-1] in CLOSING:
        return kept
    return kept[: MOST_HALVED - 1] if finished else []


def _lay_halt(layout: line_break.Layout) -> None:
    """`halt` on each remembered mark of the layout's text, as Pango attributes."""
    text = layout.text
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for index in layout.halved:
        if index >= len(text) or text[index] not in _HALVABLE:
            continue
        start = len(text[:index].encode())
        attribute = pango.pango_attr_font_features_new(b"halt 1")
        attribute.start_index, attribute.end_index = start, start + len(text[index].encode())
        pango.pango_attr_list_insert(attributes, attribute)
    pango.pango_layout_set_attributes(layout.layout, attributes)


def _width_halved(text: str, halved: tuple[int, ...], style: dict, context: object) -> float:
    """The line's width with those marks halved, measured: what `halt` takes depends on the font and on what
    the style already did to the marks."""
    layout = line_break.create_layout(text, style, context, None, 0)
    layout.halved = halved
    _lay_halt(layout)
    width, _height = line_break.line_size(layout.get_first_line()[0], style)
    return width


def _compressible(style: dict, max_width: float | None, minimum: bool) -> bool:
    return (
        not minimum
        and max_width is not None
        and 0 < max_width < 2**21
        and style["text_align_all"] == "justify"
        and style["white_space"] in ("normal", "pre-line")
        and bool(style["font_size"])
    )


@contextmanager
def line_end_compression() -> Iterator[None]:
    """WeasyPrint's first-line split tries the line half an em (or a few) wider when the extra text would end
    on a halvable mark; the originals back on exit."""
    original_split = inline.split_first_line
    original_set_text = line_break.Layout.set_text
    original_add_word_spacing = inline.add_word_spacing

    @wraps(original_split)
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        result = original_split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if not _compressible(style, max_width, minimum) or not any(mark in _HALVABLE for mark in text):
            return result
        _layout, length, resume_index, width, *_ = result
        if resume_index is None and width <= max_width:
            return result
        half = HALF * style["font_size"]
        for extra in range(1, MOST_HALVED + 1):
            candidate = original_split(
                text, style, context, max_width + extra * half, justification_spacing, is_line_start, minimum
            )
            layout, c_length, c_resume, c_width, *rest = candidate
            gains = c_length > length or (c_length == length and width > max_width + _EPSILON)
            if not gains:
                continue
            # Marks inside a line that does not end on one are halved only to finish the piece of text on a
            # space or a break point: the line may end there whatever follows (UAX #14 breaks after a space),
            # so the line breaker keeps what was fitted instead of breaking it again, earlier, around the marks.
            ends_at_break = c_resume is None and layout.text.endswith((" ", "\u200b"))
            indices = _halvable_indices(layout.text, finished=ends_at_break)
            needed = max(0, int((c_width - max_width - _EPSILON) // half) + 1) if c_width > max_width else 0
            if needed == 0 or needed > len(indices) or needed > extra:
                continue
            halved = tuple(indices[:needed])
            # What halving saves, measured on the same text both ways, taken from the line's own width: the
            # line breaker's width leaves out a trailing space that a layout of the text alone would count.
            saving = _width_halved(layout.text, (), style, context) - _width_halved(layout.text, halved, style, context)
            halved_width = c_width - saving
            if halved_width > max_width + _EPSILON:
                continue  # the marks were half already (a `.halt` span), or the font has no `halt` for them
            layout.halved = halved
            if hasattr(layout, "layout"):  # kept for drawing (pango_setup.py): halve it now
                # Set anew, not only given the attributes: Pango ignores a layout's own attribute list set again
                # (it compares the list with itself), and a line laid out already kept its marks whole: a
                # paragraph's last line drawn from this layout ran half an em past what was measured.
                layout.set_text(layout.text)
            return (layout, c_length, c_resume, halved_width, *rest)
        return result

    @wraps(original_set_text)
    def set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        if getattr(self, "halved", ()):
            _lay_halt(self)

    @wraps(original_add_word_spacing)
    def add_word_spacing(context, box, justification_spacing: float, x_advance: float) -> float:
        halved = getattr(getattr(box, "pango_layout", None), "halved", ()) if isinstance(box, boxes.TextBox) else ()
        x_advance = original_add_word_spacing(context, box, justification_spacing, x_advance)
        if halved:
            box.pango_layout.halved = halved  # a new layout, made from the same text: drawn halved too
        return x_advance

    original_remove_last_whitespace = inline.remove_last_whitespace

    @wraps(original_remove_last_whitespace)
    def remove_last_whitespace(context, line) -> None:
        # The line's trailing space goes, and WeasyPrint measures what is left afresh, without the marks halved
        # to fit it: the box would count wider than it is drawn, and the line would not be justified to the edge.
        chain = [line]
        while isinstance(chain[-1], (boxes.LineBox, boxes.InlineBox)) and chain[-1].children:
            chain.append(chain[-1].children[-1])
        box = chain[-1]
        halved = getattr(getattr(box, "pango_layout", None), "halved", ()) if isinstance(box, boxes.TextBox) else ()
        original_remove_last_whitespace(context, line)
        if not halved or not box.text:
            return
        excess = box.width - _width_halved(box.text, halved, box.style, context)
        if excess > 0:
            for counted in chain:
                counted.width -= excess

    inline.split_first_line = split_first_line
    line_break.Layout.set_text = set_text
    inline.add_word_spacing = add_word_spacing
    inline.remove_last_whitespace = remove_last_whitespace
    try:
        yield
    finally:
        inline.split_first_line = original_split
        line_break.Layout.set_text = original_set_text
        inline.add_word_spacing = original_add_word_spacing
        inline.remove_last_whitespace = original_remove_last_whitespace
