"""Short numbers upright in the vertical EPUB's own pages (縦中横): the issue openings' 第 N 期 and dates, the
contents and the colophon come from templates after the typography stage, which sets the body's."""

from __future__ import annotations

import re

from lxml import etree

from publish.writers.epub.runs import XHTML, wrap_runs_in_tail, wrap_runs_in_text

_SHORT_NUMBER = re.compile(r"\d{1,2}")

_LEFT_SIDEWAYS = frozenset(f"{XHTML}{tag}" for tag in ("head", "code", "pre", "kbd", "samp", "var", "script", "style"))
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
