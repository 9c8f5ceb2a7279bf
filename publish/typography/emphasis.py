"""Chinese emphasis as dots under each character (着重号), for engines without `text-emphasis`."""

from __future__ import annotations

from lxml import etree

from publish.typography.slots import IDEOGRAPH, span, text_slots


def emphasis_dots(root: etree._Element) -> None:
    """For engines without `text-emphasis`: each ideograph of an `<em>` in its own span, dotted by CSS."""
    for em in list(root.iter("em")):
        for slot in [s for s in text_slots(em) if s.owner is em or em in s.owner.iterancestors()]:
            if (slot.element is em and slot.attribute == "tail") or slot.owner.get("class") == "emphasis-dot":
                continue
            text = slot.value
            pieces: list[str | etree._Element] = []
            for char in text:
                if IDEOGRAPH.match(char):
                    pieces.append(span("emphasis-dot", char))
                elif pieces and isinstance(pieces[-1], str):
                    pieces[-1] += char
                else:
                    pieces.append(char)
            slot.replace(pieces)
