"""Emoji and symbols the CJK faces lack, each run wrapped in a `<span class="symbol">` set in the embedded symbol
face first: reading systems that take only the first family of a stack (MuPDF and the apps built on it) would
otherwise draw them from faces of their own, or as boxes."""

from __future__ import annotations

import re

from lxml import etree

_XHTML = "{http://www.w3.org/1999/xhtml}"
SYMBOL_CLASS = "symbol"


def symbols_in_document(markup: str, characters: str) -> str:
    """The document with every run of `characters` (outside its head) in a symbol span; unchanged, and not
    parsed, when it holds none of them."""
    if not characters or not set(characters) & set(markup):
        return markup
    run = re.compile(f"[{re.escape(characters)}]+")
    prologue = markup[: markup.index("<html")]  # the XML declaration and doctype, kept as they were
    root = etree.fromstring(markup.encode("utf-8"))
    body = root.find(f"{_XHTML}body")
    if body is None:
        return markup
    _wrap_below(body, run)
    return prologue + etree.tostring(root, encoding="unicode")


def _wrap_below(element: etree._Element, run: re.Pattern[str]) -> None:
    for child in list(element):
        if isinstance(child.tag, str) and not _is_symbol_span(child):
            _wrap_below(child, run)
        _wrap_tail(child, run)
    _wrap_text(element, run)


def _is_symbol_span(element: etree._Element) -> bool:
    return element.tag == f"{_XHTML}span" and element.get("class") == SYMBOL_CLASS


def _wrap_text(element: etree._Element, run: re.Pattern[str]) -> None:
    pieces = _split(element.text or "", run)
    if pieces is None:
        return
    element.text = pieces[0]
    for position, span in enumerate(pieces[1]):
        element.insert(position, span)


def _wrap_tail(element: etree._Element, run: re.Pattern[str]) -> None:
    pieces = _split(element.tail or "", run)
    if pieces is None:
        return
    element.tail = pieces[0]
    anchor = element
    for span in pieces[1]:
        anchor.addnext(span)
        anchor = span


def _split(text: str, run: re.Pattern[str]) -> tuple[str, list[etree._Element]] | None:
    """The text before the first run, and a span per run carrying the text up to the next run as its tail."""
    matches = list(run.finditer(text))
    if not matches:
        return None
    spans = []
    for index, match in enumerate(matches):
        span = etree.Element(f"{_XHTML}span", {"class": SYMBOL_CLASS})
        span.text = match[0]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        span.tail = text[match.end() : end]
        spans.append(span)
    return text[: matches[0].start()], spans
