"""Short numbers upright in vertical text (縦中横)."""

from __future__ import annotations

import re

from lxml import etree

_SHORT_NUMBER = re.compile(r"\d{1,2}[%％]?")
"""One or two digits, with their per cent sign (clreq §3.2.3: `6%` is one upright unit, not `6` upright and `%`
on its side)."""


def upright_numbers(root: etree._Element) -> None:
    """In vertical text, a number of one or two digits (and its `%`) stands upright in one character's space
    (縦中横, `text-combine-upright`), instead of lying on its side like longer Latin runs."""
    for span in root.iter("span"):
        classes = (span.get("class") or "").split()
        if "latin" in classes and len(span) == 0 and _SHORT_NUMBER.fullmatch(span.text or ""):
            span.set("class", "tcy")
