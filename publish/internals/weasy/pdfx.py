"""PDF/X output that is the same on every build of the same part. WeasyPrint 70 draws a random UUID for
the XMP DocumentID, and writes the output intent's ICC profile as LittleCMS saves it again, which differs
from the file (52 bytes longer for Ghostscript's CMYK profile) once the profile has been used to convert a
colour: a part laid out with stylesheets parsed for an earlier part got the other bytes, so the merged
book's profile depended on which worker laid out which part first."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint.css import ColorProfile
from weasyprint.pdf import metadata


@contextmanager
def stable_document_id(seed: str) -> Iterator[None]:
    """While entered, the DocumentID WeasyPrint writes is a UUID derived from `seed` (the part's key)."""
    original = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"publish:{seed}")
    try:
        yield
    finally:
        metadata.uuid4 = original


@contextmanager
def profiles_as_read() -> Iterator[None]:
    """While entered, a colour profile made from a file keeps the file's bytes, and the PDF gets those."""
    original_init = ColorProfile.__init__
    original_content = ColorProfile.content

    def init(profile: ColorProfile, file_object: object, *args: object, **kwargs: object) -> None:
        data = file_object.read() if hasattr(file_object, "read") else None
        if data is not None:
            import io

            file_object = io.BytesIO(data)
        original_init(profile, file_object, *args, **kwargs)
        profile._publish_bytes = data

    def content(profile: ColorProfile) -> bytes:
        data = getattr(profile, "_publish_bytes", None)
        return data if data is not None else original_content.fget(profile)

    ColorProfile.__init__ = init
    ColorProfile.content = property(content)
    try:
        yield
    finally:
        ColorProfile.__init__ = original_init
        ColorProfile.content = original_content
