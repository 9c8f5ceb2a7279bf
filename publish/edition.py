"""Reader editions: the book in Traditional Chinese for Taiwan or Hong Kong, and corner-bracket quotes.

A stage between render and typesetting. It rewrites the text of each rendered chapter (never code,
URLs or markup) and the book's metadata: OpenCC converts Simplified to Traditional with the regional
vocabulary (软件 → 軟體 in Taiwan, 軟件 in Hong Kong), and Chinese quotation marks “”‘’ become 「」『』,
which Traditional typesetting and vertical text use. Issues the editor already wrote in Traditional
Chinese keep their wording.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import cache

from publish.cjk import HAN, KANA_BOPOMOFO
from publish.model import BookMeta, Chapter, Edition, Section
from publish.typography.slots import text_slots
from publish.xhtml import inner_markup, parse_body

VARIANTS = {"tw": ("s2twp", "zh-Hant-TW", "臺灣正體"), "hk": ("s2hk", "zh-Hant-HK", "香港繁體")}
"""Variant → (OpenCC configuration, language tag, name printed in the book)."""

_CHINESE = re.compile(f"[{HAN}{KANA_BOPOMOFO}\u3000-\u303f\uff00-\uffef]")
"""A Chinese character or full-width mark; not a curly quote, since quotes are what is being judged."""
_QUOTED = re.compile("“([^“”]*)”|‘([^‘’]*)’")
"""A pair of quotation marks and what they enclose, innermost first."""


_ATTRIBUTES = ("alt", "title", "aria-label", "data-label")


@cache
def _converter(variant: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(VARIANTS[variant][0]).convert


def corner_quotes(text: str) -> str:
    """“” → 「」 and ‘’ → 『』 for each pair that encloses Chinese or stands beside it; an English quotation
    or an apostrophe stays as it is. Length-preserving, so the text can be split back into its elements."""

    def swap(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        start, end = match.start(), match.end()
        beside = text[start - 1 : start] + text[end : end + 1]
        if not (_CHINESE.search(inner) or _CHINESE.search(beside)):
            return match.group()
        opening, closing = ("「", "」") if match.group(1) is not None else ("『", "』")
        return opening + inner + closing

    previous = None
    while previous != text:  # inner pairs first, then the pairs around them
        previous, text = text, _QUOTED.sub(swap, text)
    return text


def convert_markup(markup: str, convert: Callable[[str], str] | None, quotes: bool) -> str:
    """The markup with its text (and alt, title and label attributes) converted and its Chinese quotes
    turned into corner brackets; code, preformatted text and URLs shown as text are left alone."""
    if not markup:
        return markup
    root = parse_body(markup)
    slots = list(text_slots(root))
    if convert is not None:
        for slot in slots:
            setattr(slot.element, slot.attribute, convert(slot.value))
        for element in root.iter():
            for name in _ATTRIBUTES:
                if isinstance(element.tag, str) and element.get(name):
                    element.set(name, convert(element.get(name)))
    if quotes:
        # Across the whole text at once, so that a quote is judged by its neighbour in the next element.
        values = [getattr(slot.element, slot.attribute) or "" for slot in slots]
        joined = corner_quotes("".join(values))
        position = 0
        for slot, value in zip(slots, values, strict=True):
            setattr(slot.element, slot.attribute, joined[position : position + len(value)])
            position += len(value)
        for element in root.iter():
            for name in _ATTRIBUTES:
                if isinstance(element.tag, str) and element.get(name):
                    element.set(name, corner_quotes(element.get(name)))
    return inner_markup(root)


def _plain(convert: Callable[[str], str] | None, quotes: bool) -> Callable[[str], str]:
    def apply(text: str) -> str:
        text = convert(text) if convert is not None and text else text
        return corner_quotes(text) if quotes else text

    return apply


def edition_chapter(chapter: Chapter, edition: Edition) -> Chapter:
    """One chapter in the edition's script and quotes. An issue already in Traditional Chinese is left as
    written; only in a vertical edition do its quotes turn into corner brackets."""
    written_traditional = chapter.issue.lang.lower().startswith(("zh-hant", "zh-tw", "zh-hk"))
    convert = _converter(edition.traditional) if edition.traditional and not written_traditional else None
    quotes = edition.vertical or convert is not None  # vertical text needs 「」 whoever wrote the issue
    if convert is None and not quotes:
        return chapter
    plain = _plain(convert, quotes)
    issue = chapter.issue
    if convert is not None:
        issue = replace(issue, lang=VARIANTS[edition.traditional][1])  # type: ignore[index]
    issue = replace(issue, title=plain(issue.title), description=plain(issue.description))
    return replace(
        chapter,
        issue=issue,
        body=convert_markup(chapter.body, convert, quotes),
        title_html=convert_markup(chapter.title_html, convert, quotes),
        description_html=convert_markup(chapter.description_html, convert, quotes),
        sections=tuple(Section(s.anchor, plain(s.title), s.level) for s in chapter.sections),
    )


def label_in(text: str, language: str) -> str:
    """A label the writers print (目录, 注释, 版权信息) in the script of a book in `language`."""
    tag = language.lower()
    if not tag.startswith("zh-hant"):
        return text
    return corner_quotes(_converter("hk" if tag.endswith("-hk") else "tw")(text))


def edition_meta(meta: BookMeta, edition: Edition) -> BookMeta:
    """The book's metadata for the edition: converted text, the edition's language, its own identifier
    and file names (it is another publication, so a reading system keeps both)."""
    if edition.is_default:
        return meta
    convert = _converter(edition.traditional) if edition.traditional else None
    plain = _plain(convert, edition.corner_quotes)
    language = VARIANTS[edition.traditional][1] if edition.traditional else meta.language
    names = [VARIANTS[edition.traditional][2]] if edition.traditional else []
    names += ["直排本"] if edition.vertical else []
    return replace(
        meta,
        # A reading system lists both editions: the vertical one says so in its title.
        title=plain(meta.title) + ("（直排本）" if edition.vertical else ""),
        subtitle=plain(meta.subtitle),
        creator=plain(meta.creator),
        publisher=plain(meta.publisher),
        description=plain(meta.description),
        series=plain(meta.series),
        edition=plain("，".join(filter(None, [meta.edition, *names]))),
        language=language,
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, meta.identifier + edition.suffix)}",
        slug=meta.slug + edition.suffix,
    )
