"""Where the printed pages begin, told in terms both writers share: the blocks of an issue, in order.

The PDF and the EPUB are made from the same typeset chapter, so an issue's header and the paragraphs,
headings, list items, tables and other blocks of its body come in the same order in both. The PDF's
layout records, for each page, the first block that begins on it; the EPUB puts a page-break marker at
the start of that block, so that a reader can find "p. 37" of the printed volume.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from publish.xhtml import classes, local_name

BLOCKS = frozenset(
    {"header", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "table", "figure", "dt", "dd", "hr"}
)
"""Elements that can begin a page: the issue's header (block 0) and the body's blocks. Nothing inside a
table or preformatted text counts (the PDF never breaks a table), nor the EPUB's footnote section (the PDF
sets footnotes at the foot of the page), nor the PDF's list of the issue's links or its web page's code (the
EPUB has neither)."""


def issue_blocks(issue: Any) -> Iterator[Any]:
    """The blocks of one issue (the `section.issue` element, lxml or ElementTree), in document order."""

    def visit(element: Any) -> Iterator[Any]:
        for child in element:
            name = local_name(child)
            if not name or {"footnotes", "footnotes-sep", "issue-links", "issue-web"} & set(classes(child)):
                continue
            if name in BLOCKS:
                yield child
                if name in ("table", "pre", "header"):
                    continue
            yield from visit(child)

    yield from visit(issue)


def find_issue(root: Any) -> Any | None:
    for element in root.iter():
        if local_name(element) == "section" and "issue" in classes(element):
            return element
    return None
