"""Runs of text matched by a pattern, each put in a span of its own, in an element's text or tail: what the
vertical edition's upright numbers and the symbol face's spans both do to finished XHTML."""

from __future__ import annotations

import re

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"


def _spans(text: str, run: re.Pattern[str], class_name: str) -> tuple[str, list[etree._Element]] | None:
    """The text before the first run, and a span per run carrying the text up to the next run as its tail."""
    matches = list(run.finditer(text))
    if not matches:
        return None
    spans = []
    for index, match in enumerate(matches):
        span = etree.Element(f"{XHTML}span", {"class": class_name})
        span.text = match[0]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        span.tail = text[match.end() : end]
        spans.append(span)
    return text[: matches[0].start()], spans


def wrap_runs_in_text(element: etree._Element, run: re.Pattern[str], class_name: str) -> None:
    """Each run in the element's own text (before its first child) in a span of `class_name`."""
    found = _spans(element.text or "", run, class_name)
    if found is None:
        return
    element.text = found[0]
    for position, span in enumerate(found[1]):
        element.insert(position, span)


def wrap_runs_in_tail(element: etree._Element, run: re.Pattern[str], class_name: str) -> None:
    """Each run in the element's tail (the text after it, up to its next sibling) in a span of `class_name`."""
    found = _spans(element.tail or "", run, class_name)
    if found is None:
        return
    element.tail = found[0]
    anchor = element
    for span in found[1]:
        anchor.addnext(span)
        anchor = span
