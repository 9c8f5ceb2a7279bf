"""Pictures carry nothing private into a book: a phone photo's EXIF (GPS position, camera, owner), XMP, IPTC,
comments and a PNG's text chunks are dropped; the EXIF orientation is applied to the pixels (older Kindles
and MuPDF ignore the tag and show the photo on its side); the colour profile is kept.

A picture whose pixels need no change loses its metadata without being encoded again: the JPEG's or PNG's
own segments are copied, less the ones that hold metadata."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator

_JPEG_KEPT_APP = {0xE0, 0xE2, 0xEE}
"""APP0 (JFIF), APP2 (the ICC profile), APP14 (Adobe: how to read CMYK); every other APPn and COM goes
(APP1 holds EXIF and XMP, APP13 IPTC)."""
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
EXIF_ORIENTATION = 0x0112


def orientation(data: bytes) -> int:
    """The EXIF orientation (1 is upright; 2–8 a mirror or a turn), 1 when there is none."""
    from PIL import Image

    try:
        if data.startswith(_PNG_SIGNATURE):  # Pillow decodes a whole PNG to look for its EXIF: the chunks tell
            exif = _png_exif(data)
            if exif is None:
                return 1
            value = Image.Exif()
            value.load(exif)
            found = value.get(EXIF_ORIENTATION, 1)
        else:
            with Image.open(io.BytesIO(data)) as picture:
                found = picture.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # a picture Pillow opens but whose EXIF it cannot read: nothing to turn
        return 1
    return found if isinstance(found, int) and 1 <= found <= 8 else 1


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each chunk of a PNG up to its IEND: its type, where it starts (its length field) and where it ends
    (after its CRC)."""
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, end = data[position + 4 : position + 8], position + 12 + length
        yield kind, position, end
        if kind == b"IEND":
            return
        position = end


def _png_exif(data: bytes) -> bytes | None:
    """The data of a PNG's eXIf chunk (before or after its pixels), None when it has none."""
    return next((data[start + 8 : end - 4] for kind, start, end in _png_chunks(data) if kind == b"eXIf"), None)


def _jpeg_without_metadata(data: bytes) -> bytes | None:
    """The JPEG's segments less APP1, APP3–13, APP15 and COM, up to the scan, then the rest as it is."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [data[:2]]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        if marker == 0xDA:  # start of scan: the compressed picture follows
            out.append(data[position:])
            return b"".join(out)
        if not ((0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APP) or marker == 0xFE):
            out.append(segment)
        position += 2 + length
    return None


def _png_without_metadata(data: bytes) -> bytes | None:
    if not data.startswith(_PNG_SIGNATURE):
        return None
    out = [data[:8]]
    for kind, start, end in _png_chunks(data):
        if kind not in _PNG_DROPPED:
            out.append(data[start:end])
        if kind == b"IEND":
            return b"".join(out)
    return None  # cut short: no IEND


def without_metadata(data: bytes, kind: str) -> bytes:
    """The picture's bytes less its metadata blocks; unchanged when it has none (or is not a JPEG or PNG)."""
    stripped = (
        _jpeg_without_metadata(data) if kind == "JPEG" else _png_without_metadata(data) if kind == "PNG" else None
    )
    return data if stripped is None else stripped
