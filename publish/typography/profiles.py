"""Which rules each output's engine needs, by profile name; a writer names its profile (publish/writers/)."""

from __future__ import annotations

from types import MappingProxyType

_PROFILES: dict[str, tuple[str, ...]] = {
    # Reading systems justify CJK and draw `text-emphasis` themselves; the CJK–Latin gap is a space, the one
    # gap every engine drops at a line's edges (spacing.py).
    # Chromium breaks between inline code and a closing mark after it: the mark is joined to the code.
    "epub": (
        "cjk_latin_spaces",
        "punctuation_compression",
        "break_anywhere",
        "line_edges",
        "orphan_binding",
        "code_punctuation_binding",
        "footnote_binding",
    ),
    # WeasyPrint has no `text-emphasis`: the dots are spans. Its justification needs break points inside long
    # Latin words (hyphenation) to keep lines tight.
    "pdf": (
        "cjk_latin_spacing",
        "punctuation_compression",
        "break_anywhere",
        "latin_breaks",
        "emphasis_dots",
        "line_edges",
        "orphan_binding",
        "short_blocks_kept",
        "item_titles_kept",
        "code_cells",
    ),
}
# The vertical edition: the same, and short numbers upright (縦中横).
_PROFILES["epub-vertical"] = (*_PROFILES["epub"], "upright_numbers")
BUILTIN_PROFILES = MappingProxyType(_PROFILES)
"""Read only: a build's profiles live in its registry (publish/registry.py), which starts from these."""
EPUB_RULES = BUILTIN_PROFILES["epub"]
PDF_RULES = BUILTIN_PROFILES["pdf"]
