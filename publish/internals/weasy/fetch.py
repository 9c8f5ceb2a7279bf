"""The only door through which WeasyPrint may read: the book's own images and the project's chosen font files,
nothing else, no network."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache

log = logging.getLogger(__name__)

BOOK_BASE_URL = "file:///book/"
"""The PDF document's base URL: `images/<hash>.png` resolves below it, to a file the render stage vetted."""


@cache
def _fetcher_class() -> type:
    """Defined on first use, so that importing this module does not import WeasyPrint (a second of
    start-up the main process skips while its layout workers import it)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BookFetcher(URLFetcher):
        """Serves exactly the images the render stage vetted (already read); refuses every other URL."""

        def __init__(self, files: Mapping[str, bytes], fonts: Mapping[str, str]) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self._files = {BOOK_BASE_URL + href: data for href, data in files.items()}
            self._fonts = dict(fonts)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            address = url.split("?")[0].split("#")[0]
            data = self._files.get(address)
            if data is None and address in self._fonts:
                with open(self._fonts[address], "rb") as handle:
                    data = handle.read()
            if data is None:
                self.refused.append(url)
                log.debug("refused to fetch %s", url)
                raise ValueError(f"the build reads no resource outside the book: {url}")
            return URLFetcherResponse(url, data, status=200)

    return BookFetcher


def book_fetcher(files: Mapping[str, bytes], fonts: Mapping[str, str] | None = None) -> object:
    """A WeasyPrint URL fetcher for these files only, and the font files of the project's fonts/ that the
    book's look names (read from disk when WeasyPrint loads them, once a process); its `refused` lists what
    else was asked for."""
    return _fetcher_class()(files, fonts or {})
