"""What a picture really is, read from its bytes whatever its name or Content-Type says: its format and
size, and every byte of it read once (decoded, or for a PNG its checksums checked) so that a truncated or
disguised file is found here, not in a writer. Limits a
real newsletter never reaches keep a hostile file (a decompression bomb) from taking the machine."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp", "AVIF": "image/avif"}
"""The raster formats a picture may come in (by Pillow's name), and their media types."""
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "AVIF": ".avif"}
MAX_PIXELS = 50_000_000
"""Width × height above this is refused: a 50-megapixel picture is a large photo; a bomb is far larger."""
MAX_SIDE = 30_000
MAX_BYTES = 40_000_000
"""A picture file larger than this is refused (the fetch stops downloading at this size too)."""


class PictureError(ValueError):
    """Why these bytes are not a picture the book can use, in words for the editor."""


@dataclass(frozen=True)
class PictureInfo:
    format: str
    """Pillow's name: PNG, JPEG, GIF, WEBP or AVIF."""
    width: int
    height: int
    has_alpha: bool
    animated: bool

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]


def inspect_picture(data: bytes) -> PictureInfo:
    """The picture's format and size, after decoding it whole; PictureError says why not."""
    return _read(data, decode=True)


def read_header(data: bytes) -> PictureInfo:
    """The format and size of a picture inspect_picture already accepted, from its header alone."""
    return _read(data, decode=False)


def _read(data: bytes, *, decode: bool) -> PictureInfo:
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise PictureError(f"too big ({len(data) / 1e6:.0f} MB; at most {MAX_BYTES / 1e6:.0f} MB)")
    if data.lstrip()[:1] == b"<":
        raise PictureError("not a picture (the bytes are HTML or XML, perhaps an error page)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as picture:
                width, height = picture.size
                if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                    raise PictureError(
                        f"{width}×{height} pixels is more than a book's picture may have "
                        f"(at most {MAX_PIXELS // 1_000_000} megapixels, {MAX_SIDE} px a side)"
                    )
                info = PictureInfo(
                    format=str(picture.format),
                    width=width,
                    height=height,
                    has_alpha=picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info,
                    animated=bool(getattr(picture, "is_animated", False)),
                )
                if decode and info.format == "PNG":
                    picture.verify()  # every chunk read and its checksum checked: a truncated file fails here
                elif decode:
                    if info.format == "JPEG":  # every byte is still read, at an eighth of the pixels' cost
                        picture.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    picture.load()  # decode it all: a truncated file fails here
    except PictureError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureError(_reason(exc)) from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise PictureError(f"the picture is damaged or truncated ({exc})") from None
    return info


def _reason(exc: Exception) -> str:
    from PIL import Image

    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return f"too many pixels, over {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?)"
    return "not a PNG, JPEG, GIF, WebP or AVIF picture"
