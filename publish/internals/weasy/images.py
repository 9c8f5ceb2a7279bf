"""A PNG's compressed pixels embedded as they are. WeasyPrint 70 decodes every PNG and encodes it again
to take its IDAT data for the PDF (`RasterImage._get_png_data`); for an 8-bit grey or RGB PNG without
interlacing, the file's own IDAT data is exactly what the PDF's PNG predictor expects, so the decode and
the encode — most of the cost of a book full of screenshots — are skipped."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint.images import RasterImage

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def idat_as_is(data: bytes) -> bytes | None:
    """The PNG's IDAT data, when it is 8-bit grey (colour type 0) or RGB (2) and not interlaced."""
    if not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    depth, colour, interlace = data[24], data[25], data[28]
    if depth != 8 or colour not in (0, 2) or interlace != 0:
        return None
    chunks = []
    position = 8
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        elif kind == b"IEND":
            return b"".join(chunks)
        position += 12 + length
    return None


@contextmanager
def png_data_as_is() -> Iterator[None]:
    original = RasterImage._get_png_data

    def get_png_data(pillow_image: object) -> bytes:
        source = getattr(pillow_image, "fp", None)
        if getattr(pillow_image, "format", None) == "PNG" and isinstance(source, io.BytesIO):
            found = idat_as_is(source.getvalue())
            if found is not None:
                return found
        return original(pillow_image)

    RasterImage._get_png_data = staticmethod(get_png_data)
    try:
        yield
    finally:
        RasterImage._get_png_data = staticmethod(original)
