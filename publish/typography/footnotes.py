"""A footnote mark never starts a line."""

from __future__ import annotations

from lxml import etree

from publish.typography.slots import WORD_JOINER


def footnote_binding(root: etree._Element) -> None:
    """A footnote mark never starts a line: join it to the character before it."""
    for sup in root.iter("sup"):
        if "footnote-ref" not in (sup.get("class") or ""):
            continue
        previous, parent = sup.getprevious(), sup.getparent()
        owner, attribute = (previous, "tail") if previous is not None else (parent, "text")
        text = getattr(owner, attribute) or ""
        if not text.endswith(WORD_JOINER):
            setattr(owner, attribute, text + WORD_JOINER)
