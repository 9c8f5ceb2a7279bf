"""Raw HTML made to follow HTML's content models, whatever an editor pasted: an HTML parser keeps `<li>` outside
a list, `<td>` outside a table, a paragraph inside `<ul>` or a caption after the rows, and an EPUB validator
(epubcheck) refuses every one of them. Each rule below keeps the text and moves or unwraps the markup, the way
a browser would show it; it runs after the allow-list (sanitize.py), on the elements that list allows."""

from __future__ import annotations

import re

from lxml import html

PHRASING_ONLY = frozenset(
    {"span", "em", "strong", "b", "i", "q", "sup", "sub", "small", "mark", "kbd", "samp", "var", "cite", "u", "s"}
    | {"abbr", "time", "code", "ruby", "rt", "rp", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "p", "summary"}
    | {"pre", "caption", "figcaption"}
)
"""Elements whose content may only be phrasing (inline) content. (`a`, `ins`, `del` take their parent's rule.)"""
FLOW_ONLY = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "pre", "hr", "section", "figure"}
    | {"figcaption", "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "thead", "tbody"}
    | {"tfoot", "tr", "td", "th", "colgroup", "col"}
)
_PARENTS = {
    "li": ("ul", "ol"),
    "dt": ("dl", "div"),
    "dd": ("dl", "div"),
    "tr": ("table", "thead", "tbody", "tfoot"),
    "td": ("tr",),
    "th": ("tr",),
    "thead": ("table",),
    "tbody": ("table",),
    "tfoot": ("table",),
    "caption": ("table",),
    "colgroup": ("table",),
    "col": ("colgroup",),
    "rt": ("ruby",),
    "rp": ("ruby",),
    "summary": ("details",),
    "figcaption": ("figure",),
}
"""Where each element may stand; elsewhere it gives up its tag (its content stays)."""
_ENUMERATED = {
    "dir": ("ltr", "rtl", "auto"),
    "scope": ("row", "col", "rowgroup", "colgroup"),
}
_BOOLEAN = ("reversed", "open")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?")
_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?")
_TABLE_ORDER = {"caption": 0, "colgroup": 1, "thead": 2, "tbody": 3, "tr": 3, "tfoot": 4}


def conform(root: html.HtmlElement) -> None:
    """Every element where HTML allows it, every attribute value one HTML defines; in place."""
    _unwrap_blocks_in_phrasing(root)
    for element in list(root.iterdescendants()):
        if element.getparent() is None:
            continue
        allowed = _PARENTS.get(element.tag)
        parent = element.getparent()
        if allowed is not None and (
            parent.tag not in allowed or (element.tag in ("dt", "dd") and parent.tag == "div" and not _in_dl(parent))
        ):
            if element.tag == "col":
                element.drop_tree()
            else:
                element.drop_tag()
        _conform_attributes(element)
    for element in list(root.iter("ul", "ol")):
        _only_children(element, "li", ("li",))
    for element in list(root.iter("dl")):
        _conform_list_of_terms(element)
    for element in list(root.iter("tr")):
        _only_children(element, "td", ("td", "th"))
    for element in list(root.iter("thead", "tbody", "tfoot")):
        _only_children(element, None, ("tr",))  # strays go into the table, which moves them out next
    for element in list(root.iter("colgroup")):
        _only_children(element, None, ("col",))
    for element in list(root.iter("table")):
        _order_table(element)
    for element in list(root.iter("details")):
        summaries = [child for child in element if child.tag == "summary"]
        for extra in summaries[1:] if summaries and element[0] is summaries[0] else summaries:
            extra.drop_tag()
        if not len(element) or element[0].tag != "summary":  # a summary comes first; without one, a plain block
            element.tag = "div"
            element.attrib.pop("open", None)
    for element in list(root.iter("time")):
        if not element.get("datetime"):  # without one, HTML wants its text to be a date: plain text then
            element.drop_tag()
    for element in list(root.iter("ruby")):
        _conform_ruby(element)
    for element in list(root.iter("figure")):
        captions = [child for child in element if child.tag == "figcaption"]
        first = captions and element[0] is captions[0] and not (element.text or "").strip()
        last = captions and element[-1] is captions[0] and not (captions[0].tail or "").strip()
        keep = captions[0] if first or last else None
        for caption in captions:
            if caption is not keep:
                caption.drop_tag()


def _unwrap_blocks_in_phrasing(root: html.HtmlElement) -> None:
    """A block inside an inline element (`<q><blockquote>`, `<span><div>`) keeps its content, not its tag."""
    for element in list(root.iterdescendants()):
        if element.tag in FLOW_ONLY and any(a.tag in PHRASING_ONLY for a in element.iterancestors()):
            if element.tag in ("hr", "col", "colgroup"):
                element.drop_tree()
            else:
                element.drop_tag()


def _conform_list_of_terms(dl: html.HtmlElement) -> None:
    """A `dl` is groups of terms then definitions (dt+ dd+)*; its `div` groups are unwrapped. One that is not
    (a definition first, a stray paragraph) becomes a plain block of paragraphs, its words all kept."""
    for group in [child for child in dl if child.tag == "div"]:
        group.drop_tag()
    _only_children(dl, "dd", ("dt", "dd"))
    if re.fullmatch(r"(t+d+)*", "".join(child.tag[1] for child in dl)):
        return
    dl.tag = "div"
    for child in dl:
        child.tag = "p" if child.tag == "dt" else "div"


def _conform_ruby(ruby: html.HtmlElement) -> None:
    """Ruby is base text then its reading (rt, with optional rp parentheses), repeated, and ends on a reading.
    Base text after the last reading moves out after the ruby; a ruby with no reading, or a reading with no
    base, is plain text."""
    readings = [child for child in ruby if child.tag == "rt"]
    if not readings or not ((ruby.text or "").strip() or ruby[0].tag not in ("rt", "rp")):
        for mark in [child for child in ruby if child.tag == "rp"]:
            mark.drop_tree()
        for reading in [child for child in ruby if child.tag == "rt"]:
            reading.drop_tag()
        ruby.drop_tag()
        return
    end = max(index for index, child in enumerate(ruby) if child.tag in ("rt", "rp"))
    trailing = list(ruby)[end + 1 :]
    holder = html.Element("span")
    _fill(holder, [node for child in trailing for node in (child, child.tail) if node is not None])
    holder.text = ruby[end].tail
    for child in trailing:
        child.tail = None
    ruby[end].tail = None
    if holder.text or len(holder):
        holder.tail = ruby.tail
        ruby.tail = None
        ruby.addnext(holder)
        holder.drop_tag()


def _in_dl(element: html.HtmlElement) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == "dl"


def _conform_attributes(element: html.HtmlElement) -> None:
    for name, values in _ENUMERATED.items():
        value = element.get(name)
        if value is not None and value.strip().lower() not in values:
            del element.attrib[name]
    for name in _BOOLEAN:
        if name in element.attrib:
            element.set(name, name)
    lang = element.get("lang")
    if lang is not None and not _LANGUAGE_TAG.fullmatch(lang.strip()):
        del element.attrib["lang"]
    stamp = element.get("datetime")
    if stamp is not None and not _DATETIME.fullmatch(stamp.strip()):
        del element.attrib["datetime"]


def _only_children(container: html.HtmlElement, wrapper: str | None, allowed: tuple[str, ...]) -> None:
    """Only `allowed` children, and no text between them: anything else goes, in order, into a `wrapper` element
    where it stood (a list's stray paragraph into an item), or, without one, before the container."""
    kept: list[html.HtmlElement] = []
    before: list = []  # strays moved before the container (no wrapper)
    open_wrapper: html.HtmlElement | None = None

    def stray(node: object) -> None:
        nonlocal open_wrapper
        if wrapper is None:
            before.append(node)
            return
        if open_wrapper is None:
            open_wrapper = html.Element(wrapper)
            kept.append(open_wrapper)
        _fill(open_wrapper, [node])

    if (container.text or "").strip():
        stray(container.text)
    container.text = None
    for child in list(container):
        tail, child.tail = child.tail, None
        container.remove(child)
        if child.tag in allowed:
            kept.append(child)
            open_wrapper = None
        else:
            stray(child)
        if (tail or "").strip():
            stray(tail)
    container.extend(kept)
    parent = container.getparent()
    if before and parent is not None:
        holder = html.Element("div")
        _fill(holder, before)
        parent.insert(parent.index(container), holder)
        holder.drop_tag()


def _order_table(table: html.HtmlElement) -> None:
    """A table's parts in the order HTML requires (caption, column groups, head, rows, foot), one caption, rows
    all in bodies or none; anything else in it goes before it, as a browser shows it."""
    _only_children(table, None, tuple(_TABLE_ORDER))
    for extra in [part for part in table if part.tag == "caption"][1:]:  # one caption; the others stay as text
        table.remove(extra)
        extra.tag, extra.tail = "p", None
        table.addprevious(extra)
    for tag in ("thead", "tfoot"):
        for extra in [part for part in table if part.tag == tag][1:]:
            extra.tag = "tbody"
    parts = sorted(table, key=lambda part: _TABLE_ORDER.get(part.tag, 3))  # stable: rows keep their order
    for part in parts:
        table.remove(part)
    has_body = any(part.tag == "tbody" for part in parts)
    body: html.HtmlElement | None = None
    for part in parts:
        if part.tag == "tr" and has_body:
            if body is None:
                body = html.Element("tbody")
                table.append(body)
            body.append(part)
            continue
        body = None
        table.append(part)


def _fill(holder: html.HtmlElement, nodes: list) -> None:
    """Append text and elements to holder, in order."""
    for node in nodes:
        if isinstance(node, str):
            if len(holder):
                holder[-1].tail = (holder[-1].tail or "") + node
            else:
                holder.text = (holder.text or "") + node
        else:
            holder.append(node)
