"""Emoji and symbols the CJK faces lack, each run wrapped in a `<span class="symbol">` set in the embedded symbol
face first: reading systems that take only the first family of a stack (MuPDF and the apps built on it) would
otherwise draw them from faces of their own, or as boxes."""

from __future__ import annotations

import re

from lxml import etree

from publish.writers.epub.runs import XHTML, wrap_runs_in_tail, wrap_runs_in_text

SYMBOL_CLASS = "symbol"


def symbols_in_document(markup: str, characters: str) -> str:
    """The document with every run of `characters` (outside its head) in a symbol span; unchanged, and not
    parsed, when it holds none of them."""
    if not characters or not set(characters) & set(markup):
        return markup
    run = re.compile(f"[{re.escape(characters)}]+")
    prologue = markup[: markup.index("<html")]  # the XML declaration and doctype, kept as they were
    root = etree.fromstring(markup.encode("utf-8"))
    body = root.find(f"{XHTML}body")
    if body is None:
        return markup
    _wrap_below(body, run)
    return prologue + etree.tostring(root, encoding="unicode")


def _wrap_below(element: etree._Element, run: re.Pattern[str]) -> None:
    for child in list(element):
        if isinstance(child.tag, str) and not (child.tag == f"{XHTML}span" and child.get("class") == SYMBOL_CLASS):
            _wrap_below(child, run)
        wrap_runs_in_tail(child, run, SYMBOL_CLASS)
    wrap_runs_in_text(element, run, SYMBOL_CLASS)
