"""The HTML edition: the book as a static site in `<slug>-html/` — an index with the contents, one page per
issue with its number, date, title and description, the colophon — typeset with the EPUB's profile, in the
same embedded font subsets and the same fitted pictures as the EPUB, footnotes as links within the page.
Every address is relative, so the site reads from `file://` with no network; `publish serve` is this writer
plus a server (editor/serve.py)."""

from __future__ import annotations

from publish.writers import Writer, WriterInput, WriterOutput, read_stylesheets


class HtmlWriter(Writer):
    name = "html"
    profile = "epub"
    makes = "a site"
    in_all = False

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.pictures.convert import EPUB, fit_book_pictures
        from publish.writers.fonts import (
            MONO_FAMILY,
            SERIF_FAMILY,
            SYMBOL_FAMILY,
            cjk_region,
            find_face,
            in_region,
            stylesheet_in_region,
        )
        from publish.writers.html.site import SiteFonts, write_site

        book = fit_book_pictures(job.book, EPUB, job.cache)
        region = cjk_region(book.meta.language)
        fonts = SiteFonts(
            regular=find_face(in_region(SERIF_FAMILY, region), weight=400),
            bold=find_face(in_region(SERIF_FAMILY, region), weight=700),
            cache=job.cache,
            mono=find_face(in_region(MONO_FAMILY, region), 400),
            symbols=find_face(SYMBOL_FAMILY, 400),
        )
        names = ["common.css", "epub.css", "html.css"]
        stylesheet = stylesheet_in_region("\n".join(read_stylesheets(job.config, names)), region)
        write_site(book, fonts, stylesheet, job.staging, f"{book.meta.slug}-html")
        return WriterOutput()
