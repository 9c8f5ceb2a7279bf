"""ebooklib's writer with hooks it has no option for, reached through its private methods: `xml:lang` on
<package> (epubcheck 5 wants it), and a last word on the navigation document and on the NCX (our own page
lists: EPUB 3's, and EPUB 2's for older reading systems)."""

from __future__ import annotations

import io
from collections.abc import Callable

import ebooklib
from ebooklib import epub
from lxml import etree

from publish.errors import PublishError

SUPPORTED = (0, 20)
"""The ebooklib version whose `_write_opf_file`, `_get_nav` and `_get_ncx` these overrides match (pyproject
pins it)."""
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def check_version() -> None:
    if tuple(ebooklib.VERSION[:2]) != SUPPORTED:
        found = ".".join(map(str, ebooklib.VERSION))
        raise PublishError(
            f"publish needs ebooklib {'.'.join(map(str, SUPPORTED))}, and ebooklib {found} is installed: "
            "run `pip install ebooklib==0.20` (or `make book`, which installs the pinned version)"
        )


class _HookedWriter(epub.EpubWriter):
    def __init__(
        self,
        name: object,
        book: epub.EpubBook,
        options: dict,
        nav_hook: Callable[[bytes], bytes],
        ncx_hook: Callable[[bytes], bytes],
    ):
        super().__init__(name, book, options)
        self.nav_hook = nav_hook
        self.ncx_hook = ncx_hook

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(_XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        return self.nav_hook(super()._get_nav(item))

    def _get_ncx(self) -> bytes:
        return self.ncx_hook(super()._get_ncx())


def write_epub_bytes(
    book: epub.EpubBook,
    options: dict,
    nav_hook: Callable[[bytes], bytes],
    ncx_hook: Callable[[bytes], bytes] = lambda ncx: ncx,
) -> bytes:
    """The EPUB as ebooklib writes it (with `xml:lang` on <package>), its nav document passed through
    `nav_hook` and its NCX through `ncx_hook`; errors raised, not swallowed (ebooklib's `write_epub` swallows
    OSError)."""
    check_version()
    raw = io.BytesIO()
    writer = _HookedWriter(raw, book, options, nav_hook, ncx_hook)
    writer.process()
    writer.write()
    return raw.getvalue()
