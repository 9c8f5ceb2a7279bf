"""Raw HTML from the Markdown is parsed and rebuilt from an allow-list, never passed through."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

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
        if match[1] or name in ("source", "track"):
            continue
        if name == "video":  # kept as a frame (videos_as_frames) when it says where it plays from
            end = raw_html.lower().find("</video", match.end())
            if end < 0 or _playable(match[3]):
                continue  # its sources are in other pieces of the HTML (a video set inside a paragraph)
            if any(_playable(source) for source in _SOURCE_TAG.findall(raw_html[match.end() : end])):
                continue
        if name == "iframe" and (src := _SRC.search(match[3])) and _is_player(next(g for g in src.groups() if g)):
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


VIDEO_HOSTS = (
    "youtube.com",
    "youtube-nocookie.com",
    "youtu.be",
    "bilibili.com",
    "vimeo.com",
    "v.qq.com",
    "youku.com",
    "ixigua.com",
    "douyin.com",
    "weibo.com",
)
"""Hosts whose `<iframe>` is a video player: kept as a frame linking to the video, as `<video>` is."""
_SOURCE_TAG = re.compile(r"<\s*source\b([^>]*)>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def video_host(address: str) -> str:
    """The host of a video's address as a reader recognises it (`youtube.com`), without `www.`/`m.`/`player.`."""
    host = (urlsplit(address).hostname or "").lower()
    for prefix in ("www.", "m.", "player."):
        host = host.removeprefix(prefix)
    return host


def _playable(attributes: str) -> bool:
    """Whether a tag's attributes name a video address a book may link to."""
    found = _SRC.search(attributes)
    address = safe_href(next(g for g in found.groups() if g is not None)) if found else None
    return bool(address) and not address.startswith("#")


def _is_player(address: str) -> bool:
    host = video_host(address)
    return any(host == known or host.endswith("." + known) for known in VIDEO_HOSTS)


def _video_address(element: etree._Element) -> str | None:
    """Where a `<video>` or a player's `<iframe>` plays from, as a link a book may keep; None if nowhere."""
    sources = [element.get("src") or ""]
    if element.tag == "video":
        sources += [source.get("src") or "" for source in element.iter("source")]
    for source in sources:
        address = safe_href(source)
        if address and not address.startswith("#") and (element.tag == "video" or _is_player(address)):
            return address
    return None


def videos_as_frames(root: html.HtmlElement) -> None:
    """A `<video>`, or an `<iframe>` player of a known host, becomes a frame a reader can follow: its poster
    picture linked to the video (the picture then goes the way of any picture: mirrored, or a placeholder),
    or, without one, a quiet box saying 视频 and the host. A book holds no video file and no player; the
    frame tells the reader a video was there, and where."""
    for element in [e for e in root.iter("video", "iframe")]:
        if element.getparent() is None:
            continue
        address = _video_address(element)
        if address is None:
            continue
        label = f"视频：{video_host(address)}"
        link = html.Element("a", {"href": address, "class": "video-link"})
        poster = (element.get("poster") or "").strip() if element.tag == "video" else ""
        if poster:
            etree.SubElement(link, "img", {"src": poster, "alt": label})
        else:
            frame = etree.SubElement(link, "span", {"class": "video-frame"})
            frame.text = "视频"
            host = etree.SubElement(frame, "span", {"class": "video-host"})
            host.text = video_host(address)
        parent = element.getparent()
        if parent.tag == "p":  # written inside a paragraph: the paragraph holds the frame
            parent.set("class", " ".join([*(parent.get("class") or "").split(), "video"]))
            wrapper = link
        else:
            wrapper = html.Element("p", {"class": "video"})
            wrapper.append(link)
        wrapper.tail = element.tail
        parent.replace(element, wrapper)


def sanitize_tree(root: html.HtmlElement) -> None:
    """Keep only allowed elements and attributes under root, in place; videos become frames first."""
    videos_as_frames(root)
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
    for frame in root.iter("span"):
        if frame.get("class") == "video-frame":  # what assistive technology reads of it (not allowed in raw HTML)
            frame.set("role", "img")
            frame.set("aria-label", f"视频：{''.join(frame.find('span').itertext()) if len(frame) else ''}")
