"""Hyphenate the Latin words of Chinese text as English.

WeasyPrint hyphenates a word by the dictionary of its element's language, and there is none for Chinese. The
Latin in Chinese prose is overwhelmingly English, and an odd break in a name costs less than a line of
spaced-out hanzi, so where the language is Chinese the English dictionary is used: Chinese has no letters
for it to break. This lets a whole paragraph be one text box with `hyphens: auto` (styles/pdf.css) instead of
a span marked English around each Latin word (typography/spacing.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pyphen
from weasyprint.text import line_break

ENGLISH = "en_US"


def _language_fallback(language: str) -> str | None:
    if language.lower().startswith("zh"):
        return pyphen.language_fallback(ENGLISH)
    return pyphen.language_fallback(language)


@contextmanager
def latin_hyphenated_as_english() -> Iterator[None]:
    """WeasyPrint's line breaking sees the English dictionary where the text's language is Chinese; the
    original module back on exit."""
    original = line_break.pyphen
    line_break.pyphen = SimpleNamespace(language_fallback=_language_fallback, Pyphen=pyphen.Pyphen)
    try:
        yield
    finally:
        line_break.pyphen = original
