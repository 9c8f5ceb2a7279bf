"""Short numbers upright in the vertical EPUB's own pages (縦中横): the issue openings' 第 N 期 and dates, the
contents and the colophon come from templates after the typography stage, which sets the body's."""

from __future__ import annotations

import re

from lxml import etree

_SHORT_NUMBER = re.compile(r"\d{1,2}")

_XHTML = "{http://www.w3.org/1999/xhtml}"
_LEFT_SIDEWAYS = frozenset(f"{_XHTML}{tag}" for tag in ("head", "code", "pre", "kbd", "samp", "var", "script", "style"))
_BARE_SHORT_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/%-])[0-9]{1,2}(?![0-9A-Za-z.,:/%])")


def upright_numbers_in_document(markup: str) -> str:
    """Every short number of a vertical XHTML document upright, not only the body's: the issue openings'
    第 N 期 and dates, the contents and the colophon come from templates the typography stage never sees.
    Code, preformatted text and numbers that are part of a longer token (3.5, 10:30, v2) stay as they are."""
    prologue = markup[: markup.index("<html")]  # the XML declaration and doctype, kept as they were
    root = etree.fromstring(markup.encode("utf-8"))
    _upright_below(root)
    return prologue + etree.tostring(root, encoding="unicode")


def _upright_below(element: etree._Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or child.tag in _LEFT_SIDEWAYS:
            _upright_tail(child)
            continue
        classes = (child.get("class") or "").split()
        if child.tag == f"{_XHTML}span" and "tcy" in classes:
            _upright_tail(child)
            continue
        if child.tag == f"{_XHTML}span" and "latin" in classes and len(child) == 0:
            if _SHORT_NUMBER.fullmatch(child.text or ""):
                child.set("class", "tcy")
            _upright_tail(child)
            continue
        _upright_text(child)
        _upright_below(child)
        _upright_tail(child)


def _upright_text(element: etree._Element) -> None:
    pieces = _split(element.text or "")
    if pieces is None:
        return
    element.text = pieces[0]
    for position, (span, tail) in enumerate(pieces[1]):
        span.tail = tail
        element.insert(position, span)


def _upright_tail(element: etree._Element) -> None:
    pieces = _split(element.tail or "")
    if pieces is None:
        return
    element.tail = pieces[0]
    anchor = element
    for span, tail in pieces[1]:
        span.tail = tail
        anchor.addnext(span)
        anchor = span


def _split(text: str) -> tuple[str, list[tuple[etree._Element, str]]] | None:
    matches = list(_BARE_SHORT_NUMBER.finditer(text))
    if not matches:
        return None
    spans = []
    for index, match in enumerate(matches):
        span = etree.Element(f"{_XHTML}span", {"class": "tcy"})
        span.text = match[0]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        spans.append((span, text[match.end() : end]))
    return text[: matches[0].start()], spans
