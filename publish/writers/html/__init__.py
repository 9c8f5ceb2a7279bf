"""The HTML edition: the book as a static site in `<slug>-html/` — an index with the contents, one page per
issue with its number, date, title and description, the colophon — typeset with the EPUB's profile, in the
same embedded font subsets and the same fitted pictures as the EPUB, footnotes as links within the page.
Every address is relative, so the site reads from `file://` with no network; `publish serve` is this writer
plus a server (editor/serve.py)."""

from __future__ import annotations

from publish.config import Config
from publish.model import BuildRequest
from publish.pictures.convert import EPUB, Target
from publish.writers import Writer, WriterInput, WriterOutput


class HtmlWriter(Writer):
    name = "html"
    profile = "epub"
    makes = "a site"
    in_all = False

    def picture_targets(self, config: Config, request: BuildRequest) -> list[Target]:
        return [EPUB]

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.pictures.convert import fit_book_pictures
        from publish.writers.embedded_fonts import reading_faces
        from publish.writers.fonts import stylesheet_in_region
        from publish.writers.html.site import write_site
        from publish.writers.look import book_stylesheets, coverage_warnings
        from publish.writers.pdf.settings import PrintSettings, print_column
        from publish.writers.picture_rows import book_in_rows

        book = fit_book_pictures(
            book_in_rows(job.book, print_column(job.config.section("print", PrintSettings).page_size_mm)),
            EPUB,
            job.cache,
        )
        fonts, region = reading_faces(job.config, book.meta.language, job.cache)
        names = ["common.css", "epub.css", "html.css"]
        sheets = book_stylesheets(job.config, fonts.look, names, ("extra-epub.css",))
        stylesheet = stylesheet_in_region("\n".join(sheets), region)
        write_site(book, fonts, stylesheet, job.staging, f"{book.meta.slug}-html")
        return WriterOutput(warnings=fonts.look.warnings + coverage_warnings(fonts.look, job.book))
