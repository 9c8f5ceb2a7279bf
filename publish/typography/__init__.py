"""Typeset: the CJK pass over each rendered chapter (typography/chain.py), remembered in the build's cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from publish.cache import Cache, code_digest, entry_key
from publish.model import Chapter
from publish.typography.chain import EPUB_RULES, PDF_RULES

PROFILES: dict[str, tuple[str, ...]] = {
    "epub": EPUB_RULES,
    "epub-vertical": (*EPUB_RULES, "upright_numbers"),
    "pdf": PDF_RULES,
}
"""The CJK rules each output's engine needs, by profile name (a writer names its profile)."""


def typeset_cached(
    chapter: Chapter,
    rules: tuple[str, ...],
    typeset: Callable[[Chapter, tuple[str, ...]], Chapter],
    cache: Cache | None,
) -> Chapter:
    """typeset(chapter, rules), or what it gave before for the same text, rules and typography code."""
    if cache is None:
        return typeset(chapter, rules)
    key = entry_key(
        code_digest("publish.typography.chain"), repr(rules), chapter.body, chapter.title_html, chapter.description_html
    )
    found = cache.get_json("typeset", key)
    if isinstance(found, list) and len(found) == 3 and all(isinstance(x, str) for x in found):
        return replace(chapter, body=found[0], title_html=found[1], description_html=found[2])
    result = typeset(chapter, rules)
    cache.put_json("typeset", key, [result.body, result.title_html, result.description_html])
    return result
