"""EXIF orientation read from a PNG's chunks: the picture is not decoded to find it."""

from __future__ import annotations

import io

from PIL import Image

from publish.pictures.metadata import orientation


def _png_with_orientation(value: int | None) -> bytes:
    image = Image.new("RGB", (40, 20), "red")
    out = io.BytesIO()
    if value is None:
        image.save(out, "PNG")
    else:
        exif = Image.Exif()
        exif[0x0112] = value
        image.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def test_a_png_orientation_comes_from_its_exif_chunk() -> None:
    for value in (1, 3, 6, 8):
        assert orientation(_png_with_orientation(value)) == value
    assert orientation(_png_with_orientation(None)) == 1


def test_a_png_orientation_is_read_without_decoding_its_pixels() -> None:
    data = _png_with_orientation(6)
    start = data.index(b"IDAT") + 4
    broken = data[:start] + bytes(len(data) - start - 12) + data[-12:]  # pixels zeroed, chunks intact
    assert orientation(broken) == 6
