"""A PDF/X's XMP DocumentID that is the same on every build of the same part (WeasyPrint 70 draws a
random UUID), so that identical input gives byte-identical press PDFs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
