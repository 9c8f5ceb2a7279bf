"""Raw HTML from the Markdown is parsed and rebuilt from an allow-list, never passed through."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree, html

from publish.limits import MAX_TABLE_SPAN

# Elements markdown-it itself produces, plus the raw HTML an editor may reasonably use.
ALLOWED_ELEMENTS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "a",
        "img",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "colgroup",
        "col",
        "section",
        "div",
        "span",
        "sup",
        "sub",
        "s",
        "del",
        "ins",
        "u",
        "mark",
        "small",
        "kbd",
        "abbr",
        "ruby",
        "rt",
        "rp",
        "figure",
        "figcaption",
        "details",
        "summary",
        "dl",
        "dt",
        "dd",
        "b",
        "i",
        "cite",
        "q",
        "var",
        "samp",
        "time",
    ]
)
# Removed with everything inside them.
DROPPED_ELEMENTS = frozenset(
    [
        "script",
        "style",
        "link",
        "meta",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "noscript",
        "template",
        "svg",
        "math",
        "title",
        "head",
        "base",
        "audio",
        "video",
        "source",
        "track",
        "canvas",
        "portal",
    ]
)
_GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "data-label"})
_ELEMENT_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "abbr": {"title"},
    "time": {"datetime"},
    "details": {"open"},
}
_SAFE_STYLE = re.compile(r"\s*text-align\s*:\s*(left|right|center)\s*;?\s*")
_ABSOLUTE_HREF = re.compile(r"(?:https?://[^/\s]|mailto:[^\s])", re.IGNORECASE)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>")
_NUMBERS = {  # numeric attributes and the values a book keeps; others are dropped, spans above the limit clamped
    "colspan": (1, MAX_TABLE_SPAN),
    "rowspan": (1, MAX_TABLE_SPAN),
    "span": (1, MAX_TABLE_SPAN),
    "start": (-1_000_000, 1_000_000),
    "width": (1, 10_000),
    "height": (1, 10_000),
}
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


def safe_href(value: str) -> str | None:
    """The address a link keeps: http(s) and mailto as written, `//host/…` as https, a fragment (an anchor in
    the same issue); None for anything else — a relative path leads nowhere inside a book."""
    value = value.strip()
    if value.startswith("//") and len(value) > 2 and value[2] not in "/\\":
        return "https:" + value
    if value.startswith("#") or _ABSOLUTE_HREF.match(value):
        return value
    return None


def _number(name: str, value: str) -> str | None:
    low, high = _NUMBERS[name]
    value = value.strip()
    if not re.fullmatch(r"[-+]?[0-9]{1,12}", value):
        return None
    number = int(value)
    if number > high and name in ("colspan", "rowspan", "span"):
        return str(high)  # the render stage has reported it; the book stays within its means
    return str(number) if low <= number <= high else None


def disallowed_tags(raw_html: str) -> Iterator[str]:
    """Names of the tags in a raw HTML snippet that the allow-list will remove, for warnings."""
    for match in _TAG.finditer(raw_html):
        name = match[2].lower()
        if match[1]:
            continue
        if name not in ALLOWED_ELEMENTS:
            yield f"<{name}>"
        elif re.search(r"\son\w+\s*=", match[3], re.IGNORECASE):
            yield f"an event attribute on <{name}>"
        elif re.search(r"javascript:", match[3], re.IGNORECASE):
            yield f"a javascript: URL on <{name}>"


def _clean_attributes(element: etree._Element) -> None:
    allowed = _GLOBAL_ATTRIBUTES | _ELEMENT_ATTRIBUTES.get(element.tag, set())
    for name, value in list(element.attrib.items()):
        keep = name in allowed
        replacement: str | None = value
        if name == "style":
            keep = keep and _SAFE_STYLE.fullmatch(value) is not None
        elif name == "href":
            replacement = safe_href(value)
        elif keep and name in _NUMBERS:
            replacement = _number(name, value)
        if not keep or replacement is None:
            del element.attrib[name]
        elif replacement != value:
            element.set(name, replacement)


def parse_fragment(markup: str) -> etree._Element:
    """Parse rendered HTML into a `<div>` holding it; DOCTYPEs and external entities are never loaded."""
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        return html.fragment_fromstring(markup, create_parent="div", parser=parser)
    except etree.ParserError:  # nothing libxml2 can read as content: a lone unclosed tag such as `<HTML`
        return html.Element("div")


def sanitize_tree(root: html.HtmlElement) -> None:
    """Keep only allowed elements and attributes under root, in place."""
    for element in list(root.iterdescendants()):
        if element.getparent() is None:
            continue  # already removed with an ancestor
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in DROPPED_ELEMENTS or not tag:
            element.drop_tree()
        elif tag not in ALLOWED_ELEMENTS:
            element.drop_tag()
        else:
            _clean_attributes(element)
