"""XHTML fragments as every stage handles them: a chapter body parsed inside a `<div>`, changed, and its
content written back as markup; an element's classes and local name."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree


def parse_body(markup: str, namespaces: str = "") -> etree._Element:
    """Well-formed body markup inside a `<div>` (with `namespaces`, e.g. `xmlns:epub="…"`, declared on it)."""
    opening = f"<div {namespaces}>" if namespaces else "<div>"
    return etree.fromstring(f"{opening}{markup}</div>".encode())


def inner_markup(root: etree._Element) -> str:
    """The root's content as XHTML markup: its text, then each child with its tail."""
    return escape(root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in root
    )


def classes(element: Any) -> list[str]:
    """The element's classes (lxml or ElementTree); none for a comment or processing instruction."""
    get = getattr(element, "get", None)
    return (get("class") or "").split() if get is not None else []


def local_name(element: Any) -> str:
    """The tag without its namespace; empty for a comment or processing instruction."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]
