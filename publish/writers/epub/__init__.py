"""The EPUB 3 writer: our own XHTML documents (package.py) with subset fonts and a drawn cover
(cover_image.py); it uses the PDF's page map, when the PDF is built too, for the printed page list."""

from __future__ import annotations

from publish.model import BuildRequest
from publish.writers import Writer, WriterInput, WriterOutput, read_stylesheets


class EpubWriter(Writer):
    name = "epub"
    profile = "epub"
    uses = ("print_pages",)

    def typography_profile(self, request: BuildRequest) -> str:
        return "epub-vertical" if request.reader_edition.vertical else "epub"

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.pictures.convert import EPUB, fit_book_pictures
        from publish.writers.embedded_fonts import reading_faces
        from publish.writers.epub.package import build_epub
        from publish.writers.fonts import stylesheet_in_region

        vertical = job.request.reader_edition.vertical
        book = fit_book_pictures(job.book, EPUB, job.cache)
        fonts, region = reading_faces(book.meta.language, job.cache)
        names = ["common.css", "epub.css", *(["vertical.css"] if vertical else [])]
        stylesheet = stylesheet_in_region("\n".join(read_stylesheets(job.config, names)), region)
        epub = build_epub(
            book,
            fonts,
            stylesheet,
            book.images,
            vertical=vertical,
            print_pages=job.provided.get("print_pages"),  # type: ignore[arg-type]
        )
        job.staging.write_bytes(f"{book.meta.slug}.epub", epub)
        return WriterOutput()
