"""Short numbers upright in the vertical EPUB's own pages (縦中横): the issue openings' 第 N 期 and dates, the
contents and the colophon come from templates after the typography stage, which sets the body's."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from publish.typography.slots import is_address
from publish.writers.epub.runs import XHTML, wrap_runs_in_tail, wrap_runs_in_text

_SHORT_NUMBER = re.compile(r"\d{1,2}")

_LEFT_SIDEWAYS = frozenset(f"{XHTML}{tag}" for tag in ("head", "code", "pre", "kbd", "samp", "var", "script", "style"))
_BARE_SHORT_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/%-])[0-9]{1,2}(?![0-9A-Za-z.,:/%])")


def upright_numbers_in_document(markup: str) -> str:
    """Every short number of a vertical XHTML document upright, not only the body's: the issue openings'
    第 N 期 and dates, the contents and the colophon come from templates the typography stage never sees.
    Code, preformatted text and numbers that are part of a longer token (3.5, 10:30, v2) stay as they are.
    An upright number takes one character's cell like a hanzi, so the CJK–Latin space beside it goes."""
    prologue = markup[: markup.index("<html")]  # the XML declaration and doctype, kept as they were
    root = etree.fromstring(markup.encode("utf-8"))
    _upright_below(root)
    for upright in root.iter(f"{XHTML}span"):
        if "tcy" in (upright.get("class") or "").split():
            _close_up(upright)
    return prologue + etree.tostring(root, encoding="unicode")


def _upright_below(element: etree._Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or child.tag in _LEFT_SIDEWAYS or _shows_an_address(child):
            wrap_runs_in_tail(child, _BARE_SHORT_NUMBER, "tcy")
            continue
        classes = (child.get("class") or "").split()
        if child.tag == f"{XHTML}span" and "tcy" in classes:
            wrap_runs_in_tail(child, _BARE_SHORT_NUMBER, "tcy")
            continue
        if child.tag == f"{XHTML}span" and "latin" in classes and len(child) == 0:
            if _SHORT_NUMBER.fullmatch(child.text or ""):
                child.set("class", "tcy")
            wrap_runs_in_tail(child, _BARE_SHORT_NUMBER, "tcy")
            continue
        wrap_runs_in_text(child, _BARE_SHORT_NUMBER, "tcy")
        _upright_below(child)
        wrap_runs_in_tail(child, _BARE_SHORT_NUMBER, "tcy")


def _shows_an_address(element: etree._Element) -> bool:
    """A link whose text is its address (…/S0092-8674(23)00137-X, ?page=1): its numbers are not counts."""
    return element.tag == f"{XHTML}a" and is_address("".join(element.itertext()))


_SPACES = (" ", "\u00a0")  # the CJK–Latin space, and the no-break one that binds a last hanzi or 日


def _is_wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in "WF"


_INLINE = frozenset(f"{XHTML}{tag}" for tag in ("a", "span", "strong", "em", "b", "i", "small", "sup", "sub"))


def _close_up(upright: etree._Element) -> None:
    """Drop a space between an upright number and a hanzi or full-width mark on either side (第 5 期 → 第5期),
    also outside an inline element the number fills (第 <strong>5</strong> 期)."""
    while (parent := upright.getparent()) is not None and parent.tag in _INLINE:
        if parent.text or len(parent) != 1 or upright.tail:
            break
        upright = parent
    previous = upright.getprevious()
    holder, attribute = (previous, "tail") if previous is not None else (upright.getparent(), "text")
    before = getattr(holder, attribute) or ""
    if before.endswith(_SPACES):
        char = before[-2:-1] or ("".join(previous.itertext())[-1:] if previous is not None else "")
        if _is_wide(char):
            setattr(holder, attribute, before[:-1] or None)
    after = upright.tail or ""
    if after.startswith(_SPACES):
        following = upright.getnext()
        char = after[1:2] or ("".join(following.itertext())[:1] if following is not None else "")
        if _is_wide(char):
            upright.tail = after[1:] or None
