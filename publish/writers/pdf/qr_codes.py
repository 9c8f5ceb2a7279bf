"""QR codes a reader of paper scans to follow a link (WeChat, any phone camera), as vector graphics.

A code is made by segno at error correction level M, its modules 0.35 mm (about four dots at 300 dpi, what a
phone reads from a page held at reading distance), never smaller than 12 mm with its quiet zone. An address
that needs a code larger than 20 mm has too many modules to scan from paper at that size: it is printed
instead (the caller says so). The code encodes the address as the link gives it (percent escapes kept):
every reader opens it as the link would.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno
from lxml import etree

MODULE_MM = 0.35
SMALLEST_MM = 12.0
LARGEST_MM = 20.0
QUIET_ZONE = 4
"""Modules of blank around the code, as the QR standard asks."""
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SCREEN_INK = "#000"
PRESS_INK = "device-cmyk(0 0 0 1)"
"""Pure black, K only, for the press PDF (PDF/X-4): a code printed in four inks blurs when the plates shift."""


def code_side_mm(url: str) -> float:
    """How wide the code for `url` prints, quiet zone included."""
    modules, _ = segno.make_qr(url, error="M", boost_error=False).symbol_size(scale=1, border=QUIET_ZONE)
    return max(SMALLEST_MM, modules * MODULE_MM)


def qr_code(url: str, ink: str = SCREEN_INK) -> etree._Element | None:
    """The code as an inline `<svg>`, sized in mm; None when it would print larger than LARGEST_MM."""
    code = segno.make_qr(url, error="M", boost_error=False)
    modules, _ = code.symbol_size(scale=1, border=QUIET_ZONE)
    side = max(SMALLEST_MM, modules * MODULE_MM)
    if side > LARGEST_MM:
        return None
    written = io.BytesIO()
    code.save(written, kind="svg", xmldecl=False, svgns=True, nl=False, scale=1, border=QUIET_ZONE, omitsize=True)
    drawn = etree.fromstring(written.getvalue())
    svg = etree.Element(
        f"{{{SVG_NAMESPACE}}}svg",
        {
            "viewBox": drawn.get("viewBox", f"0 0 {modules} {modules}"),
            "width": f"{side:.2f}mm",
            "height": f"{side:.2f}mm",
            "class": "qr-code",
            "role": "img",
            "aria-label": url,
        },
        nsmap={None: SVG_NAMESPACE},
    )
    title = etree.SubElement(svg, f"{{{SVG_NAMESPACE}}}title")  # the tagged PDF's /Alt for the code
    title.text = f"二维码：{url}"
    for path in drawn.iter(f"{{{SVG_NAMESPACE}}}path"):
        etree.SubElement(svg, f"{{{SVG_NAMESPACE}}}path", {"d": path.get("d", ""), "stroke": ink, "fill": "none"})
    return svg


def host(url: str) -> str:
    """The address's host as printed under its code (`github.com`), without `www.`."""
    name = urlsplit(url).hostname or url
    return name.removeprefix("www.")
