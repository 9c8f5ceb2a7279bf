"""A part's HTML parsed by expat when that gives the tree the HTML5 parser would. WeasyPrint 70 parses every
document with tinyhtml5, a pure-Python HTML5 parser: 1.1 s of the bench book's 22.5 s of layout CPU, where
expat (C) takes 0.08 s (bench/layout_ab.py: 4.1 % less CPU a page; the PDF byte for byte the same). The parts'
HTML is ours (the page templates around markup the render stage has put in HTML's content models, serialized
by lxml), so it is well-formed XML, and for such a document the two parsers differ only where HTML5's tree
construction moves or renames things: whitespace around `<head>` and `<body>`, a newline right after `<pre>`,
an SVG's namespace declaration (an attribute to HTML5), and structures the content models already rule out
(a block inside `<p>`, `<tr>` without a row group, a link in a link, MathML, comments, entities). A document
holding any of those but the first three, or that expat refuses, goes to tinyhtml5 as before; a test
compares the trees on the sample, corpus issues and hostile raw HTML.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import weasyprint

_LEFT_TO_HTML5 = re.compile(
    r"<(?:table|math|template|noscript|textarea|select|option|ruby|button|form|frameset|plaintext|xmp"
    r"|listing|iframe|object|image|isindex)\b|<!--|<!\[CDATA\[|<\?|&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)"
    r"|<[^>]*[\t\r\n][^>]*>|<svg(?! xmlns=\"http://www\.w3\.org/2000/svg\")",
    re.IGNORECASE,
)
"""What HTML5 parses otherwise than XML, or where a difference would cost a check: such a document goes to
tinyhtml5. (A tab or a line break inside a tag: XML folds it to a space in an attribute value, HTML keeps it.)"""

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_CLOSES_P = _HEADINGS | frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer header "  # noqa: SIM905
    "hgroup main menu nav ol p pre search section summary ul hr li dd dt".split()
)
"""Elements whose start tag ends an open `<p>` in HTML5 (or, for li/dd/dt, that HTML does not allow in one)."""

_SVG = "{http://www.w3.org/2000/svg}"
_XMLNS = "{http://www.w3.org/2000/xmlns/}xmlns"
_HEAD_CONTENT = frozenset(["base", "link", "meta", "script", "style", "title"])


def _as_html5_builds_it(root: ElementTree.Element, after_root: str) -> bool:
    """Move the whitespace HTML5 moves, in place; False if the tree holds what HTML5 would build otherwise."""
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return False
    head, body = root
    if (root.text or "").strip() or (head.tail or "").strip() or (body.tail or "").strip() or after_root.strip():
        return False
    if (head.text or "").strip() or any(child.tag not in _HEAD_CONTENT for child in head):
        return False
    for element in body.iter():
        tag = element.tag
        if not isinstance(tag, str) or ":" in tag.removeprefix(_SVG):
            return False
        if tag.startswith(_SVG):
            continue
        for child in element:
            if child.tag == _SVG + "svg":  # its namespace declaration, which HTML5 keeps as an attribute
                child.set(_XMLNS, _SVG[1:-1])
        if tag == "p" and any(inner.tag in _CLOSES_P for inner in element.iter() if inner is not element):
            return False
        if tag == "a" and any(inner.tag == "a" for inner in element.iter() if inner is not element):
            return False
        if tag in _HEADINGS and any(inner.tag in _HEADINGS for inner in element.iter() if inner is not element):
            return False
        if any("{" in name for name in element.attrib if name != _XMLNS):  # xml:lang: HTML5 keeps the prefix
            return False
        if tag == "pre" and element.text and element.text.startswith("\n"):
            element.text = element.text[1:]  # HTML5 drops a newline right after <pre>
    root.text = None  # before <head>: dropped
    moved = (body.tail or "") + after_root  # after </body> and </html>: appended to the body
    body.tail = None
    if moved:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + moved
        else:
            body.text = (body.text or "") + moved
    return True


def parse(source: object, **options: Any) -> ElementTree.Element | None:
    """The tree of a part's HTML by expat, as HTML5 would build it; None where tinyhtml5 must parse it."""
    if isinstance(source, io.StringIO):  # how WeasyPrint hands over HTML(string=…)
        source = source.getvalue()
    if not isinstance(source, str) or options != {"namespace_html_elements": False}:
        return None
    text = source.lstrip()
    if text[:15].upper() == "<!DOCTYPE HTML>":
        text = text[15:]
    if _LEFT_TO_HTML5.search(text):
        return None
    end = text.rfind("</html>")
    if end < 0:
        return None
    try:
        root = ElementTree.fromstring(text[: end + 7])
    except ElementTree.ParseError:
        return None
    if _items_in_items(root):
        return None
    return root if _as_html5_builds_it(root, text[end + 7 :]) else None


def _items_in_items(root: ElementTree.Element) -> bool:
    """An li, dd or dt inside another without a list between them (HTML5 closes the outer one first)."""

    def walk(element: ElementTree.Element, in_item: bool) -> bool:
        for child in element:
            tag = child.tag
            if tag in ("li", "dd", "dt") and in_item:
                return True
            inner = in_item or tag in ("li", "dd", "dt")
            if tag in ("ul", "ol", "dl", "menu"):
                inner = False
            if walk(child, inner):
                return True
        return False

    return walk(root, False)


@contextmanager
def parsed_by_expat_when_the_same() -> Iterator[None]:
    """While entered, WeasyPrint's HTML() parses a part's HTML with expat where that gives HTML5's tree."""
    module = weasyprint.tinyhtml5
    original = module.parse

    def parse_html(source: object, **options: Any) -> object:
        found = parse(source, **options)
        return found if found is not None else original(source, **options)

    module.parse = parse_html
    try:
        yield
    finally:
        module.parse = original
