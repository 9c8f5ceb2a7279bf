"""Typeset: the CJK pass over each rendered chapter — spacing, punctuation, emphasis, breaks.

The pass adds markup (spans with classes the stylesheets style, and invisible joiners) and, in the EPUB only,
one visible character: the space between Chinese and Latin that reading systems drop at a line's edges
(spacing.py). It never touches code, preformatted text, keyboard input, ruby readings,
link texts that are URLs, or attributes (slots.py). Each rule is a module of its own, in a chain (ruler.py)
that `setup` puts in a build's registry, where a plugin extends it:
`registry.add_typography_rule("my_rule", my_rule, after="punctuation_compression")`. A profile
(profiles.py) says which rules an output's engine needs. `typeset_cached` remembers each result in the
build's cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from publish.cache import Cache, code_digest, entry_key
from publish.model import Chapter
from publish.typography.code import code_cells
from publish.typography.emphasis import emphasis_dots
from publish.typography.footnotes import footnote_binding
from publish.typography.latin_breaks import break_anywhere, latin_breaks
from publish.typography.line_edges import line_edges
from publish.typography.orphans import orphan_binding
from publish.typography.page_breaks import item_titles_kept, short_blocks_kept
from publish.typography.profiles import BUILTIN_PROFILES, EPUB_RULES, PDF_RULES
from publish.typography.punctuation import code_punctuation_binding, punctuation_compression
from publish.typography.ruler import Rule, Ruler
from publish.typography.spacing import cjk_latin_spaces, cjk_latin_spacing
from publish.typography.vertical import upright_numbers
from publish.xhtml import inner_markup, parse_body

__all__ = [
    "BUILTIN_PROFILES",
    "BUILTIN_RULES",
    "EPUB_RULES",
    "PDF_RULES",
    "builtin_rules",
    "typeset_cached",
    "typeset_chapter",
    "typeset_markup",
]


BUILTIN_RULES = (
    Rule("cjk_latin_spacing", cjk_latin_spacing),
    Rule("cjk_latin_spaces", cjk_latin_spaces),
    Rule("punctuation_compression", punctuation_compression),
    Rule("break_anywhere", break_anywhere),
    Rule("latin_breaks", latin_breaks),
    Rule("upright_numbers", upright_numbers),
    Rule("emphasis_dots", emphasis_dots),
    Rule("line_edges", line_edges),
    Rule("orphan_binding", orphan_binding),
    Rule("code_punctuation_binding", code_punctuation_binding),
    Rule("footnote_binding", footnote_binding, blocks_only=True),
    Rule("short_blocks_kept", short_blocks_kept, blocks_only=True),
    Rule("item_titles_kept", item_titles_kept, blocks_only=True),
    Rule("code_cells", code_cells, blocks_only=True),
)
"""The built-in rules in the order they run; a build's registry starts its chain with them (publish/plugins.py)."""


def builtin_rules(names: Sequence[str]) -> tuple[Rule, ...]:
    """The named built-in rules in chain order, for the tests and tools that typeset outside a build."""
    ruler = Ruler()
    for rule in BUILTIN_RULES:
        ruler.push(rule.name, rule.function, blocks_only=rule.blocks_only)
    return tuple(ruler.select(names))


def typeset_markup(markup: str, rules: Sequence[Rule], *, blocks: bool = True) -> str:
    """Apply the rules, in the order given (chain order, from the registry), to a body fragment of XHTML
    markup (without `blocks`, only the rules that apply to a line of text)."""
    root = parse_body(markup)
    for rule in rules:
        if blocks or not rule.blocks_only:
            rule.function(root)
    return inner_markup(root)


def typeset_chapter(chapter: Chapter, rules: Sequence[Rule]) -> Chapter:
    """The chapter with its body, title and description typeset for one output."""
    return replace(
        chapter,
        body=typeset_markup(chapter.body, rules),
        title_html=_typeset_inline(chapter.title_html, rules),
        description_html=_typeset_inline(chapter.description_html, rules),
    )


def _typeset_inline(markup: str, rules: Sequence[Rule]) -> str:
    """Typeset a line of text (a title) as if it were a paragraph, and return its content."""
    typeset = typeset_markup(f"<p>{markup}</p>", rules, blocks=False)
    return typeset.removeprefix("<p>").removesuffix("</p>") if typeset != "<p/>" else ""


def typeset_cached(
    chapter: Chapter,
    rules: tuple[Rule, ...],
    typeset: Callable[[Chapter, tuple[Rule, ...]], Chapter],
    cache: Cache | None,
    plugin_code: str = "",
) -> Chapter:
    """typeset(chapter, rules), or what it gave before for the same text, rules and typography code
    (`plugin_code`: a digest of the code of rules that plugins added, publish/registry.py)."""
    if cache is None:
        return typeset(chapter, rules)
    key = entry_key(
        code_digest("publish.typography"),
        plugin_code,
        repr([rule.name for rule in rules]),
        chapter.body,
        chapter.title_html,
        chapter.description_html,
    )
    found = cache.get_json("typeset", key)
    if isinstance(found, list) and len(found) == 3 and all(isinstance(x, str) for x in found):
        return replace(chapter, body=found[0], title_html=found[1], description_html=found[2])
    result = typeset(chapter, rules)
    cache.put_json("typeset", key, [result.body, result.title_html, result.description_html])
    return result
