"""Pango set-up shared between WeasyPrint's text layouts, and text shaped once, for speed (issue 18).

WeasyPrint 70 gives each text layout a Pango context and a font description of its own, made from the
style: about 70,000 of each for a year's PDF, as every text box is set up once to be laid out and again to
be drawn; the set-up was a tenth of the layout time. Here one context serves every layout of the same
direction and language, and one font description every style with the same font properties. Pango copies a
font description into the layout, and nothing changes a context once made (WeasyPrint sets direction,
language and glyph rounding only when making one), so the layouts, and the PDF, are the same as before.
Styles with text decoration or a font language override keep WeasyPrint's own set-up (they read font
metrics from the context as it is made); they are rare.

WeasyPrint also frees each text box's Pango layout once the box is laid out and makes it again to draw the
box: a second set-up and a second shaping of every line. A box drawn as it was laid out (no justification
spacing added, one line of text) keeps its layout instead, and is drawn from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint.text import line_break
from weasyprint.text.constants import PANGO_DIRECTION
from weasyprint.text.ffi import ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

_FONT_PROPERTIES = (
    "font_style",
    "font_stretch",
    "font_weight",
    "font_size",
    "font_variant_caps",
    "font_variation_settings",
)
_FEATURE_PROPERTIES = (
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_caps",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)


def _hashable(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value


@contextmanager
def shared_pango_setup() -> Iterator[None]:
    """While entered, Layout.setup takes its context and font description from caches that live as long as
    the entry (one part of the book); the original method is back on exit."""
    original_setup = line_break.Layout.setup
    contexts: dict[tuple, tuple[object, object]] = {}
    descriptions: dict[tuple, object] = {}
    features_text: dict[tuple, bytes] = {}

    per_style: dict[int, tuple] = {}
    """By the style object's id (the style is kept in the entry, so the id is not reused while entered)."""

    def prepared(style: dict) -> tuple:
        lang = style["lang"]
        font_map = style.font_config.font_map
        context_key = (int(ffi.cast("uintptr_t", font_map)), style["direction"], lang)
        found = contexts.get(context_key)
        if found is None:
            context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
            pango.pango_context_set_round_glyph_positions(context, False)
            pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
            if lang:
                lang_p, _ = unicode_to_char_p(lang)
                language = pango.pango_language_from_string(lang_p)
                pango.pango_context_set_language(context, language)
            else:
                language = pango.pango_language_get_default()
            contexts[context_key] = found = (context, language)
        font_key = (tuple(style["font_family"]), *(_hashable(style[name]) for name in _FONT_PROPERTIES))
        description = descriptions.get(font_key)
        if description is None:
            descriptions[font_key] = description = get_font_description(style)
        feature_key = tuple(_hashable(style[name]) for name in _FEATURE_PROPERTIES)
        features = features_text.get(feature_key)
        if features is None:
            found_features = font_features(*(style[name] for name in _FEATURE_PROPERTIES))
            features = ",".join(f"{key} {value}" for key, value in found_features.items()).encode()
            features_text[feature_key] = features
        attribute = None
        if features:
            # WeasyPrint keeps one attribute per feature string in the font configuration, as here.
            attribute = style.font_config.font_features.setdefault(
                features, pango.pango_attr_font_features_new(features)
            )
        return style, found[0], found[1], description, attribute

    def setup(self: line_break.Layout, style: dict) -> None:
        entry = per_style.get(id(style))
        if entry is None or entry[0] is not style:
            if style["text_decoration_line"] != "none" or style["font_language_override"] != "normal":
                original_setup(self, style)
                return
            per_style[id(style)] = entry = prepared(style)
        _, context, self.language, description, attribute = entry
        self.style = style
        self.first_line_direction = 0
        self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, description)
        self.ascent = self.underline_position = self.strikethrough_position = None
        if attribute is not None:
            attributes = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attributes, attribute)
            pango.pango_layout_set_attributes(self.layout, attributes)

    line_break.Layout.setup = setup
    try:
        yield
    finally:
        line_break.Layout.setup = original_setup


_PARAGRAPH_BREAK = re.compile("[\n\r\u2029]")
"""What Pango takes for the end of a paragraph (and lays out on a new line) unless in single-paragraph mode."""


@contextmanager
def layouts_kept_for_drawing() -> Iterator[None]:
    """While entered, a text layout that needs no justification spacing and holds no line break is kept
    after layout and drawn as it is, rather than freed, set up and shaped again; others as before."""
    original_deactivate = line_break.Layout.deactivate
    original_reactivate = line_break.Layout.reactivate
    original_set_text = line_break.Layout.set_text

    def set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        if not _PARAGRAPH_BREAK.search(self.text):
            # What drawing sets: done now, it does not make Pango lay the text out again when drawn.
            pango.pango_layout_set_single_paragraph_mode(self.layout, True)

    def deactivate(self: line_break.Layout) -> None:
        if self.justification_spacing or _PARAGRAPH_BREAK.search(self.text):
            original_deactivate(self)
        else:
            self.kept = True

    def reactivate(self: line_break.Layout, style: dict) -> None:
        if getattr(self, "kept", False) and style is self.style and not self.justification_spacing:
            return
        self.kept = False
        original_reactivate(self, style)

    line_break.Layout.set_text = set_text
    line_break.Layout.deactivate = deactivate
    line_break.Layout.reactivate = reactivate
    try:
        yield
    finally:
        line_break.Layout.set_text = original_set_text
        line_break.Layout.deactivate = original_deactivate
        line_break.Layout.reactivate = original_reactivate
