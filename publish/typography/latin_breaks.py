"""Where Latin inside Chinese may break, so that a long word, an identifier or a quoted term does not leave
its line loose: the PDF's line breaker (Pango, greedy) has no other way to fill a line."""

from __future__ import annotations

import re

from lxml import etree

from publish.typography.slots import (
    CLOSING,
    IDENTIFIER,
    IDEOGRAPH,
    IDEOGRAPHIC,
    OPENING,
    WORD_JOINER,
    block_slots,
    blocks,
    is_address,
)
from publish.xhtml import classes

ZERO_WIDTH_SPACE = "\u200b"
"""A break opportunity; like the word joiner it draws nothing and is not extracted from the PDF."""

_HYPHENATABLE_WORD = re.compile(r"[A-Za-z]{5,}")
"""Shorter words have no break point that `hyphenate-limit-chars: 5 2 3` (styles/pdf.css) would allow."""

_UNBROKEN_RUN = re.compile(rf"[^\s{IDEOGRAPHIC}{CLOSING}{OPENING}\u3000-\u303f\u200b]{{40,}}")
"""A run of 40 characters or more with nothing a line may break at (a hash, a pasted blob, a row of
symbols): the line breaker would try it whole on every line, and it would stick out of the text block."""
_RUN_PIECE = 20
"""Such a run may break every this many characters."""

_QUOTES = "'\""
_LATIN = re.compile(r"[A-Za-z0-9]")
_CURLY_OPENING = "“‘"
_CURLY_CLOSING = "”’"


def break_anywhere(root: etree._Element) -> None:
    """An identifier-like Latin run (span from the spacing rule) and a link whose text is its address break
    anywhere (class `break-anywhere`, `word-break: break-all` in both formats): they fill their line rather than
    move whole to the next and leave the line before loose — in Chromium at 320 px, `链接：` alone on a line
    stretched over the screen, above its address."""
    for span in root.iter("span"):
        if "latin" not in classes(span) or "break-anywhere" in classes(span):
            continue
        plain = (span.text or "").replace(ZERO_WIDTH_SPACE, "").strip()  # break points count for nothing
        if " " not in plain and IDENTIFIER.fullmatch(plain):
            span.set("class", span.get("class", "") + " break-anywhere")
    for link in root.iter("a"):
        if is_address("".join(link.itertext())) and "break-anywhere" not in classes(link):
            link.set("class", " ".join([*classes(link), "break-anywhere"]))
    for element in [e for e in root.iter("span", "a") if "break-anywhere" in classes(e)]:
        _keep_ends(element)


EDGE_CHARACTERS = 3
"""An address or identifier broken anywhere keeps at least this many of its characters on each line: never
`……@gmail.co` / `m）。`."""


def _keep_ends(element: etree._Element) -> None:
    """Its first and last EDGE_CHARACTERS characters set unbreakable (`nobreak`: `white-space: nowrap`)."""
    text = element.text or ""
    if len(element) or len(text.replace(ZERO_WIDTH_SPACE, "").strip()) < 3 * EDGE_CHARACTERS:
        return  # (break points count for nothing: typeset again, the text must measure the same)
    head, middle, tail = text[:EDGE_CHARACTERS], text[EDGE_CHARACTERS:-EDGE_CHARACTERS], text[-EDGE_CHARACTERS:]
    if ZERO_WIDTH_SPACE in head + tail or " " in head + tail:
        return
    first = etree.SubElement(element, "span", {"class": "nobreak"})
    # A break point on each side of the middle: where a kept end meets the rest, the line breaker sees two
    # letters and no break (UAX #14), so the shortest first piece was four characters, not three — an e-mail
    # address after `联系方式是` that would have started on the line went whole to the next, and its line
    # was stretched by half an em between the hanzi (technology year).
    first.text, first.tail = head, ZERO_WIDTH_SPACE + middle + ZERO_WIDTH_SPACE
    last = etree.SubElement(element, "span", {"class": "nobreak"})
    last.text = tail
    element.text = None


def latin_breaks(root: etree._Element) -> None:
    """Open break points where Pango's line breaker has none a Chinese typesetter would use.

    A Latin run (span from cjk_latin_spacing) holding a long word, and not one that breaks anywhere, is marked
    English, which the PDF hyphenates (`hyphens: auto` needs a language; the Latin in Chinese prose is
    overwhelmingly English, and an odd break in a name costs less than a line of spaced-out hanzi). Straight
    quotes beside Chinese, which UAX #14 before Unicode 15.1 (and Pango) never breaks around (`格式：'JSON'、'INI'`
    is otherwise one word), and curly quotes, get a break before the opening and after the closing one."""
    for span in root.iter("span"):
        if "latin" not in classes(span) or "break-anywhere" in classes(span) or span.get("lang") is not None:
            continue
        if _HYPHENATABLE_WORD.search(span.text or ""):
            span.set("lang", "en")
    for block in blocks(root):
        _open_breaks(block)
    for code in root.iter("code"):
        if code.getparent() is not None and code.getparent().tag != "pre":
            _break_path(code)


_PATH_BREAK = re.compile(
    r"(?<=[^:/][/\\])(?=[^/\\\s])|(?<=[A-Za-z0-9])(?=\.[A-Za-z][A-Za-z0-9]*$)|(?<=[A-Za-z0-9][_-])(?=[A-Za-z0-9])"
)
"""Where a typesetter breaks a file name: after each slash of a path (not an address's `://`), before the full
stop of its extension, after `_` or `-` (`~/.config/​eza/​config​.toml`)."""
_PATH_LENGTH = 12


def _break_path(code: etree._Element) -> None:
    """Inline code holding a path may break at its punctuation (a zero-width space: the PDF's text copies
    without it): otherwise `配置写在~/.config/eza/config.toml` moved whole to the next line and left the line
    before stretched. Only plain text; a code element with markup inside is left as it is."""
    text = code.text or ""
    if (
        len(code)
        or len(text) < _PATH_LENGTH
        or "/" not in text.strip("/")
        or " " in text.strip()
        or ZERO_WIDTH_SPACE in text
    ):
        return
    cuts = [
        m.start() for m in _PATH_BREAK.finditer(text) if EDGE_CHARACTERS <= m.start() <= len(text) - EDGE_CHARACTERS
    ]
    if cuts:
        code.text = ZERO_WIDTH_SPACE.join(text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True))


def _can_end_line(char: str) -> bool:
    return bool(IDEOGRAPH.match(char)) or char in CLOSING


def _can_start_line(char: str) -> bool:
    return bool(IDEOGRAPH.match(char)) or char in OPENING


def _open_breaks(block: etree._Element) -> None:
    slots = block_slots(block)
    text = "".join(slot.value for slot in slots)
    breaks = _breaks_around_quotes(text)
    # Runs are measured without the word joiners other rules add (line_edges, orphans run after this one):
    # typesetting typeset text again must find the same runs.
    kept = [index for index, char in enumerate(text) if char != WORD_JOINER]
    visible = "".join(text[index] for index in kept)
    for run in _UNBROKEN_RUN.finditer(visible):
        breaks.update(kept[offset] for offset in range(run.start() + _RUN_PIECE, run.end() - 1, _RUN_PIECE))
    breaks.discard(0)
    if breaks:
        _insert_breaks(slots, breaks)


def _breaks_around_quotes(text: str) -> set[int]:
    breaks = set()
    for index, char in enumerate(text):
        if char not in _QUOTES:
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if _can_end_line(before) and _LATIN.match(after):  # an opening quote after Chinese
            breaks.add(index)
        if _LATIN.match(before) and _can_start_line(after):  # a closing quote before Chinese
            breaks.add(index + 1)
    for index, char in enumerate(text):
        # Curly quotes say which way they face: Chinese breaks before an opening one and after a closing
        # one, where UAX #14 (quotation class) and Pango break on neither side.
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in _CURLY_OPENING and before and (_can_end_line(before) or before in _CURLY_CLOSING):
            breaks.add(index)
        if char in _CURLY_CLOSING and after and (_can_start_line(after) or after in _CURLY_OPENING):
            breaks.add(index + 1)
    return breaks


def _insert_breaks(slots: list, breaks: set[int]) -> None:
    """A zero-width space at each offset of the block's text (in one pass: a block may hold thousands)."""
    ordered = sorted(breaks)
    position = 0
    start = 0
    for slot in slots:
        value = slot.value
        end = start + len(value)
        # A break at a slot's end goes into that slot, not the next: the following slot may start a span.
        inside = []
        while position < len(ordered) and ordered[position] <= end:
            if ordered[position] > start:
                inside.append(ordered[position] - start)
            position += 1
        if inside:
            pieces = [value[a:b] for a, b in zip([0, *inside], [*inside, len(value)], strict=True)]
            setattr(slot.element, slot.attribute, ZERO_WIDTH_SPACE.join(pieces))
        start = end
