"""Debian's Chromium driven through the DevTools protocol, to look at EPUB chapters at exact phone widths.

Headless Chromium widens `--window-size` below 500 px; `Emulation.setDeviceMetricsOverride` gives the exact
width. The protocol runs over a pipe (`--remote-debugging-pipe`: commands on fd 3, answers on fd 4, each a
JSON message ended by a NUL), so no WebSocket library is needed. `CSS.getPlatformFontsForNode` says which
face drew each node's text and whether it is the book's own (`isCustomFont`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = ROOT / "tools" / "ace" / "chromium"

OVERFLOW_SCRIPT = """(() => {
  // Horizontal pages: nothing wider than the screen. Vertical pages scroll sideways by design, so there the
  // limit is the column's length, the screen's height.
  const vertical = getComputedStyle(document.documentElement).writingMode.startsWith('vertical');
  const root = document.documentElement, limit = vertical ? root.clientHeight : root.clientWidth, found = [];
  const scrolls = e => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowY)
    || ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX);
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // What a scrolling box holds stays inside it (the box itself is checked).
    let inner = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) inner = true;
    }
    if (inner) continue;
    const [start, end] = vertical ? [box.top, box.bottom] : [box.left, box.right];
    if (end > limit + 0.5 || start < -0.5) {
      found.push(element.tagName.toLowerCase() + ': ' + (element.textContent || element.getAttribute('src') || '')
        .trim().slice(0, 40) + ' (' + Math.round(start) + '–' + Math.round(end) + ' of ' + limit + ')');
    }
  }
  return found;
})()"""


_NO_AUTOSPACE = """(() => {
  if (!CSS.supports('text-autospace', 'no-autospace')) throw new Error('this Chromium has no text-autospace');
  const style = document.createElement('style');
  style.textContent = '* { text-autospace: no-autospace !important; }';
  document.head.appendChild(style);
  return getComputedStyle(document.body).textAutospace;
})()"""

_AUTOSPACE_SUPPORTS = re.compile(r"@supports[^{]*text-autospace[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")


def unpack_chapters(epub: Path, into: Path) -> list[Path]:
    """The EPUB unpacked into a folder, and its XHTML documents, for an engine to open."""
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(into)
    return sorted(into.rglob("*.xhtml"))


def as_without_autospace(book: Path) -> None:
    """Rewrite an unpacked book's stylesheets as an engine without `text-autospace` reads them (Kindle, Kobo,
    MuPDF, WebKit before Safari 18.4): the `@supports` blocks that ask for it go. `look_at(autospace=False)` then
    turns Chromium's own spacing off."""
    for sheet in book.rglob("*.css"):
        css = sheet.read_text(encoding="utf-8")
        stripped = _AUTOSPACE_SUPPORTS.sub("", css)
        if stripped != css:
            sheet.write_text(stripped, encoding="utf-8")


LINE_EDGES_SCRIPT = r"""(() => {
  const found = [], closing = [], gaps = [];
  const blocks = 'p, li, h1, h2, h3, h4, h5, h6, td, th, dd, dt, figcaption, .toc-title, .toc-description';
  const hanzi = /[\u3400-\u9fff\uf900-\ufaff]/, mark = /[\s\u2060\u200b，。、；：？！）」』》〉】〕”’…—.,;:!?)\]]/;
  const closes = /[，。、；：？！）」』》〉】〕”’]/, latin = /[A-Za-z0-9]/, invisible = /[\s\u2060\u200b\u00ad]/;
  for (const block of document.querySelectorAll(blocks)) {
    if (block.querySelector('p, li, div, table, pre')) continue;
    const style = getComputedStyle(block), vertical = style.writingMode.startsWith('vertical');
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT), chars = [];
    const afterBreak = new Set();  // the first character after a hard line break (`<br>`): its line is forced
    let broken = false;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) { if (node.localName === 'br') broken = true; continue; }
      if (node.parentElement.closest('code, pre, rt')) continue;
      for (let i = 0; i < node.data.length; i++) {
        if (broken) { afterBreak.add(chars.length); broken = false; }
        chars.push([node, i]);
      }
    }
    // Lines from the glyphs' positions: a line starts where a glyph stands left of the one before (the
    // writing went back to the left edge; in vertical text, back up to the top); superscripts and ruby keep
    // their line. Each line keeps its first and last visible glyph, for the CJK–Latin gaps at its edges.
    let previous = null, sawBreak = false;
    const lines = [], range = document.createRange();
    chars.forEach(([node, i], k) => {
      if (afterBreak.has(k)) sawBreak = true;
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (!box.width && !box.height) return;
      const position = vertical ? box.top : box.left, c = node.data[i];
      if (previous === null || position < previous - 1) {
        if (previous !== null) {
          if (closes.test(c))
            closing.push(block.tagName.toLowerCase() + ': line starts with ' + c + ' in …'
              + block.textContent.trim().slice(0, 16));
        }
        lines.push({first: null, last: null, forced: sawBreak, start: k});
        sawBreak = false;
      }
      previous = position;
      if (!invisible.test(c)) {
        const line = lines[lines.length - 1];
        if (!line.first) line.first = [c, box];
        line.last = [c, box];
      }
    });
    // A CJK–Latin pair split by a line break must leave no gap: the next line starts at the block's edge, and
    // a justified line ends at its other edge.
    const area = block.getBoundingClientRect(), px = name => parseFloat(style[name]);
    const [Start, End] = vertical ? ['Top', 'Bottom'] : ['Left', 'Right'];
    const head = area[Start.toLowerCase()] + px('padding' + Start) + px('border' + Start + 'Width');
    const foot = area[End.toLowerCase()] - px('padding' + End) - px('border' + End + 'Width');
    const justified = style.textAlign === 'justify';
    for (let n = 1; n < lines.length; n++) {
      const before = lines[n - 1].last, after = lines[n].first;
      if (!before || !after) continue;
      if (!((hanzi.test(before[0]) && latin.test(after[0])) || (latin.test(before[0]) && hanzi.test(after[0]))))
        continue;
      const text = before[0] + '|' + after[0] + ' in …' + block.textContent.trim().slice(0, 16);
      const start = vertical ? after[1].top : after[1].left, end = vertical ? before[1].bottom : before[1].right;
      // A gap is a quarter em; a line far shorter has no room to justify (one long word), which is not this.
      const em = parseFloat(style.fontSize);
      if (start > head + 1 && start <= head + em / 2)
        gaps.push('line starts ' + Math.round(start - head) + ' px in: ' + text);
      if (justified && !lines[n].forced && end < foot - 1 && end >= foot - em / 2)  // a <br> ends it short
        gaps.push('justified line ends ' + Math.round(foot - end) + ' px short: ' + text);
    }
    if (lines.length < 2) continue;
    // The block's last line, and each line a hard line break (`<br>`) ends, with a line above it.
    const ends = lines.map((line, n) => [line.start, n + 1 < lines.length ? lines[n + 1].start : chars.length])
      .filter((_, n) => n > 0 && (n + 1 === lines.length || lines[n + 1].forced) && !lines[n].forced);
    for (const [from, to] of ends) {
      const text = chars.slice(from, to).map(([node, i]) => node.data[i]).join('');
      const content = [...text].filter(c => !mark.test(c));
      if (content.length === 1 && hanzi.test(content[0]))
        found.push(block.tagName.toLowerCase() + ': …' + text.trim().slice(-12));
    }
  }
  return {lonely: found, closing: closing, gaps: gaps};
})()"""


@dataclass
class PageReport:
    """What one chapter looks like at one width."""

    overflowing: list[str] = field(default_factory=list)
    edge_gaps: list[str] = field(default_factory=list)
    """Line breaks between Chinese and Latin whose next line starts in from the block's edge, or whose justified
    line ends short of it: a gap left at a line's edge, where a typesetter has none."""
    lonely_last_characters: list[str] = field(default_factory=list)
    """Blocks whose last line holds one hanzi (and punctuation) alone."""
    closing_at_line_start: list[str] = field(default_factory=list)
    """Lines that start with closing punctuation (，。」 …), which Chinese typesetting never allows."""
    glyphs: int = 0
    glyphs_not_embedded: dict[str, int] = field(default_factory=dict)


class Phone:
    """One headless Chromium, one tab, set to a phone's width."""

    def __init__(self, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def connect() -> None:  # in the child: the protocol's file descriptors are 3 and 4
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=connect,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._last_id = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "DOM", "CSS"):
            self.send(f"{domain}.enable", session=True)

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        os.close(self._commands)
        os.close(self._answers)

    def send(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def look_at(self, page: Path, width: int, *, autospace: bool = True) -> PageReport:
        """Open the page at `width` CSS px and report what sticks out and which faces drew its glyphs. Without
        `autospace` (and with `as_without_autospace` applied to the book), the page is laid out as an engine
        without `text-autospace` would: whatever CJK–Latin gap the book relies on must come from the book."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 640, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        self.send("Page.navigate", {"url": page.as_uri()}, session=True)
        self._wait_until_loaded()
        if not autospace:
            result = self.evaluate(_NO_AUTOSPACE)
            if result != "no-autospace":
                raise RuntimeError(f"text-autospace could not be turned off: {result}")
        report = PageReport()
        report.overflowing = self.evaluate(OVERFLOW_SCRIPT)  # type: ignore[assignment]
        edges: dict = self.evaluate(LINE_EDGES_SCRIPT)  # type: ignore[assignment]
        report.lonely_last_characters = edges["lonely"]
        report.closing_at_line_start = edges["closing"]
        report.edge_gaps = edges["gaps"]
        root = self.send("DOM.getDocument", {"depth": -1}, session=True)["root"]
        for node_id in _elements_with_text(root):
            fonts = self.send("CSS.getPlatformFontsForNode", {"nodeId": node_id}, session=True)["fonts"]
            for font in fonts:
                report.glyphs += font["glyphCount"]
                if not font["isCustomFont"]:
                    name = font["familyName"]
                    report.glyphs_not_embedded[name] = report.glyphs_not_embedded.get(name, 0) + font["glyphCount"]
        return report

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page looked at."""
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)[
            "result"
        ].get("value")

    def screenshot(self, page: Path, width: int, height: int = 640) -> bytes:
        """A PNG of the page's first screen at `width` × `height` CSS px (the README's phone pictures)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        self.send("Page.navigate", {"url": page.as_uri()}, session=True)
        self._wait_until_loaded()
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"}, session=True)["data"])

    def _wait_until_loaded(self) -> None:
        expression = "document.readyState === 'complete' && document.fonts.status === 'loaded'"
        for _ in range(200):
            if self.evaluate(expression):
                return
            self.send(
                "Runtime.evaluate",
                {"expression": "new Promise(r => setTimeout(r, 50))", "awaitPromise": True},
                session=True,
            )
        raise TimeoutError("the page did not finish loading")


def _elements_with_text(node: dict) -> list[int]:
    """The elements that hold text directly (their text nodes are what getPlatformFontsForNode reports)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        children = current.get("children", [])
        if current.get("nodeType") == 1 and any(
            child.get("nodeType") == 3 and child.get("nodeValue", "").strip() for child in children
        ):
            found.append(current["nodeId"])
        stack.extend(children)
        if "contentDocument" in current:
            stack.append(current["contentDocument"])
    return found


if __name__ == "__main__":  # `make pictures`: python -m tests.writers.epub.phone CHAPTER.xhtml WIDTH OUT.png
    import sys
    import tempfile

    chapter, width, out = Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[3])
    with tempfile.TemporaryDirectory() as profile:
        phone = Phone(Path(profile))
        try:
            out.write_bytes(phone.screenshot(chapter, width))
        finally:
            phone.close()
