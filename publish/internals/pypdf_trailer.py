"""pypdf has no public way to choose a document's /ID: set the writer's private `_ID` (pypdf 7)."""

from __future__ import annotations

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

from publish.errors import PublishError

SUPPORTED_MAJOR = "7"


def set_document_id(writer: PdfWriter, identifier: bytes) -> None:
    """Both halves of the trailer's /ID set to `identifier`, so that rebuilds are byte-identical."""
    import pypdf

    if pypdf.__version__.split(".")[0] != SUPPORTED_MAJOR:
        raise PublishError(
            f"publish needs pypdf {SUPPORTED_MAJOR}.x, and pypdf {pypdf.__version__} is installed: "
            "run `pip install 'pypdf>=7,<8'` (or `make book`)"
        )
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
