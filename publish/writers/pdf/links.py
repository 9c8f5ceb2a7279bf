"""Links a reader of paper can follow: each external link whose text does not already show its address
gets a small number, and the addresses are printed — in a list at the end of the issue (本期链接), at the
foot of the page, or as a grid of QR codes at the end of the issue, each with its number and host
(qr_codes.py) — as `[print] links` in book.toml says. The EPUB keeps its links live instead."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from publish.writers.pdf.qr_codes import SCREEN_INK, host, qr_code
from publish.xhtml import classes, inner_markup, parse_body


def _shows_its_address(text: str, href: str) -> bool:
    """Whether the link's text is (nearly) its URL, so printing the URL again would only repeat it."""

    def bare(url: str) -> str:
        # The typography's break points and joiners (an address broken anywhere) are not part of it.
        url = unquote(url).replace("\u200b", "").replace("\u2060", "").strip().lower()
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


@dataclass(frozen=True)
class PaperLinks:
    """An issue's body as paper shows its links, and how many addresses were printed because their code
    would have been too large to scan (`qrcodes` only)."""

    body: str
    printed_instead_of_codes: int = 0


def links_on_paper(body: str, mode: str, *, anchor: str, heading: str, ink: str = SCREEN_INK) -> PaperLinks:
    """The issue's body with its external links numbered and their addresses printed (see the module);
    `ink` is the colour of the QR codes."""
    if mode == "none" or "http" not in body:
        return PaperLinks(body)
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
    printed = 0
    if numbers:
        section = etree.SubElement(root, "section", {"class": "issue-links"})
        title = etree.SubElement(section, "h2", {"class": "links-heading"})
        title.text = heading
        if mode == "qrcodes":
            printed = _code_grid(section, numbers, anchor, ink)
        else:
            _address_list(section, numbers.items(), anchor)
    return PaperLinks(inner_markup(root), printed)


def _address_list(section: etree._Element, numbered: Iterable[tuple[str, int]], anchor: str) -> None:
    listing = etree.SubElement(section, "ol")
    for href, number in numbered:
        item = etree.SubElement(listing, "li", {"id": f"{anchor}-link-{number}", "value": str(number)})
        item.text = readable_address(href)


def _code_grid(section: etree._Element, numbers: dict[str, int], anchor: str, ink: str) -> int:
    """A code per link, in reading order, each with its number and host under it; the addresses too long
    for a code that scans are listed after the grid. How many were."""
    grid = etree.SubElement(section, "div", {"class": "qr-grid"})
    too_long: list[tuple[str, int]] = []
    for href, number in numbers.items():
        code = qr_code(href, ink)
        if code is None:
            too_long.append((href, number))
            continue
        cell = etree.SubElement(grid, "div", {"class": "qr-link", "id": f"{anchor}-link-{number}"})
        cell.append(code)
        caption = etree.SubElement(cell, "p", {"class": "qr-caption"})
        mark = etree.SubElement(caption, "span", {"class": "qr-number"})
        mark.text = str(number)
        mark.tail = f" {host(href)}"
    if not len(grid):
        section.remove(grid)
    if too_long:  # numbered as the codes are: not 1, 2… as a list would count them
        listing = etree.SubElement(section, "ul", {"class": "qr-addresses"})
        for href, number in too_long:
            item = etree.SubElement(listing, "li", {"id": f"{anchor}-link-{number}"})
            mark = etree.SubElement(item, "span", {"class": "qr-number"})
            mark.text = str(number)
            mark.tail = f" {readable_address(href)}"
    return len(too_long)


def issue_page_code(url: str, label: str, ink: str = SCREEN_INK) -> str:
    """What an issue's opening page shows of its web page: the code, the label (扫码阅读本期网页版) and the
    short address beside it (without `https://` and `www.`); the address alone where a code would not scan."""
    box = etree.Element("div", {"class": "issue-web"})
    code = qr_code(url, ink)
    if code is not None:
        box.append(code)
    words = etree.SubElement(box, "p", {"class": "issue-web-words"})
    if code is not None:
        words.text = label
        etree.SubElement(words, "br")
    address = etree.SubElement(words, "span", {"class": "issue-web-address"})
    address.text = _short(readable_address(url))
    return etree.tostring(box, encoding="unicode", method="xml")


def _short(address: str) -> str:
    for prefix in ("https://", "http://"):
        address = address.removeprefix(prefix)
    return address.removeprefix("www.")
