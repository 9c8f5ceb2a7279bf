"""Links a reader of paper can follow: each external link whose text does not already show its address
gets a small number, and the addresses are printed — in a list at the end of the issue (本期链接), or
at the foot of the page — as `[print] links` in book.toml says. The EPUB keeps its links live instead."""

from __future__ import annotations

from urllib.parse import unquote

from lxml import etree

from publish.xhtml import classes, inner_markup, parse_body


def _shows_its_address(text: str, href: str) -> bool:
    """Whether the link's text is (nearly) its URL, so printing the URL again would only repeat it."""

    def bare(url: str) -> str:
        url = unquote(url).strip().lower()
        for prefix in ("https://", "http://", "www."):
            url = url.removeprefix(prefix)
        return url.rstrip("/")

    return bool(text) and bare(text) == bare(href)


def readable_address(href: str) -> str:
    """The address as a reader types it: percent-escapes of Chinese and other text decoded (an IRI, which
    browsers accept), unless decoding would show spaces, controls or bytes that are not UTF-8."""
    try:
        decoded = unquote(href, errors="strict")
    except UnicodeDecodeError:
        return href
    if any(char.isspace() or ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in decoded):
        return href
    return decoded


def links_on_paper(body: str, mode: str, *, anchor: str, heading: str) -> str:
    """The issue's body with its external links numbered and their addresses printed (see the module)."""
    if mode == "none" or "http" not in body:
        return body
    root = parse_body(body)
    numbers: dict[str, int] = {}
    for link in list(root.iter("a")):
        href = (link.get("href") or "").strip()
        if not href.startswith(("http://", "https://")) or "link-mark" in classes(link):
            continue
        if _shows_its_address("".join(link.itertext()).strip(), href):
            continue
        if mode == "footnotes" and any("footnotes" in classes(a) for a in link.iterancestors()):
            continue  # a note inside a note: the footnote's own link keeps its text
        if mode == "footnotes":
            note = etree.Element("span", {"class": "footnote link-note"})
            note.text = readable_address(href)
            marker = etree.Element("span", {"class": "footnote-anchor"})
            marker.append(note)
        else:
            new = href not in numbers
            number = numbers.setdefault(href, len(numbers) + 1)
            marker = etree.Element("a", {"class": "link-mark", "href": f"#{anchor}-link-{number}"})
            if new:
                marker.set("id", f"{anchor}-linkref-{number}")
            marker.text = str(number)
        parent = link.getparent()
        caption = parent.find("figcaption") if parent is not None and parent.tag == "figure" else None
        frame = link.find("span") if "picture-missing-link" in classes(link) else None
        if frame is not None:  # a missing picture's frame: its number goes inside, after its words (no link
            marker.tag = "span"  # inside the frame's link)
            marker.attrib.pop("href", None)
            frame.append(marker)
        elif caption is not None:  # a linked picture: its number goes after its caption
            caption.append(marker)
        else:
            marker.tail, link.tail = link.tail, None
            link.addnext(marker)
    if numbers:
        section = etree.SubElement(root, "section", {"class": "issue-links"})
        title = etree.SubElement(section, "h2", {"class": "links-heading"})
        title.text = heading
        listing = etree.SubElement(section, "ol")
        for href, number in numbers.items():
            item = etree.SubElement(listing, "li", {"id": f"{anchor}-link-{number}", "value": str(number)})
            item.text = readable_address(href)
    return inner_markup(root)
