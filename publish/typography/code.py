"""Code blocks keep their shape on paper: every character on its cells, wrapped lines marked and indented."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

LONG_LINE_CELLS = 56
"""A code line wider than this many cells may wrap on the narrowest text block we set (B6): it gets the
`long` class, which draws the wrap marks. Shorter lines never wrap, and drawing marks costs layout time."""

ONE_CELL = re.compile("[\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u2500-\u259f]+")
"""Accented Latin, Greek, Cyrillic, box drawing and block elements: one cell wide in a terminal (as `tree`
counts them), but two in the CJK monospace face (East Asian width "ambiguous"), or missing from it;
styles/pdf.css sets them in a face of their own, sized to one cell."""


def _box_drawing_spans(element: etree._Element, attribute: str) -> None:
    """Wrap each run of one-cell characters in `element`'s text (or tail) in a `one-cell` span."""
    text = getattr(element, attribute) or ""
    matches = list(ONE_CELL.finditer(text))
    if not matches:
        return
    setattr(element, attribute, text[: matches[0].start()])
    parent, index = (
        (element, 0) if attribute == "text" else (element.getparent(), element.getparent().index(element) + 1)
    )
    for number, match in enumerate(matches):
        span = etree.Element("span", {"class": "one-cell"})
        span.text = match[0]
        following = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        span.tail = text[match.end() : following] or None
        parent.insert(index, span)
        index += 1


def code_cells(root: etree._Element) -> None:
    """Each line of a code block becomes a `code-line` span (styles/pdf.css indents and marks the lines it
    wraps into), and runs of one-cell characters get a face that keeps them to one cell. A block holding
    markup of its own (raw HTML) keeps its lines as they are and gets the one-cell spans only."""
    for pre in root.iter("pre"):
        code = pre.find("code")
        target = code if code is not None and len(pre) == 1 and not (pre.text or "").strip() else pre
        if len(target) == 0 and "code-lines" not in (target.get("class") or "").split():
            # Each line keeps its newline (a block's last newline adds no line): the text stays the same.
            lines = (target.text or "").split("\n")
            target.text = None
            for number, line in enumerate(lines):
                if number == len(lines) - 1 and not line:
                    break
                cells = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line.expandtabs(8))
                span = etree.SubElement(
                    target, "span", {"class": "code-line long" if cells > LONG_LINE_CELLS else "code-line"}
                )
                span.text = line + ("\n" if number < len(lines) - 1 else "")
            target.set("class", " ".join([*(target.get("class") or "").split(), "code-lines"]))
        for element in list(target.iter()):
            if element.get("class") == "one-cell":
                continue
            if element is not target:
                _box_drawing_spans(element, "tail")
            _box_drawing_spans(element, "text")
