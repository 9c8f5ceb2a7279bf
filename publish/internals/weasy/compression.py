"""The compression of a part's streams. pydyf (WeasyPrint's PDF writer) deflates every page's drawing at zlib's
level 9, slower than the default level for streams hardly smaller: on the bench book's parts (52 corpus issues,
469 pages), level 6 takes 1.6 % less layout CPU (bench/layout_ab.py, two rounds), and the merged book is 0.4 %
larger (4.72 → 4.74 MB), its text the same. The merge copies the streams as they are, so this is the book's
compression too."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pydyf

LEVEL = 6
"""zlib's own default: its speed and size balance, as most PDF writers (QPDF, cairo) use it."""


@contextmanager
def streams_deflated_at_default_level() -> Iterator[None]:
    """While entered, pydyf deflates streams at LEVEL."""
    original = pydyf.zlib
    pydyf.zlib = SimpleNamespace(
        compressobj=lambda level=LEVEL, *args, **kwargs: zlib.compressobj(LEVEL, *args, **kwargs),
        compress=lambda data, level=LEVEL: zlib.compress(data, LEVEL),
    )
    try:
        yield
    finally:
        pydyf.zlib = original
