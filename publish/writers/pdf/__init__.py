"""The PDF writer: each issue, the front matter and a folio template laid out as parts of their own by
WeasyPrint in worker processes (layout.py), then merged into one book (merge.py); document.py makes the
parts' HTML and runs both. With --print-ready the press version and its cover, with --booklet the imposed
booklet (press/). It provides the page map of the printed book (page_map.py) to the EPUB."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from publish.errors import PublishError
from publish.model import BuildRequest
from publish.writers import Writer, WriterInput, WriterOutput, read_stylesheets, register_writer


@register_writer
class PdfWriter(Writer):
    name = "pdf"
    profile = "pdf"
    provides = ("print_pages",)

    def __init__(self) -> None:
        self.pool: object = None

    @contextmanager
    def prepare(self, request: BuildRequest) -> Iterator[object]:
        """Start the layout workers first thing: they load WeasyPrint (half a second) while the issues are
        read; they are stopped when the build ends, killed when it fails or is interrupted."""
        from publish.writers.pdf.layout import LayoutPool

        with LayoutPool() as pool:
            self.pool = pool
            yield pool

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.writers.fonts import LATIN_SANS_FAMILY, LATIN_SERIF_FAMILY, SANS_FAMILY, SERIF_FAMILY, find_face
        from publish.writers.pdf.document import build_pdf
        from publish.writers.pdf.progress import TerminalProgress

        config, book, request = job.config, job.book, job.request
        # Fail with a clear message rather than lay out in a fallback face.
        faces = [find_face(family, weight) for family in (SERIF_FAMILY, LATIN_SERIF_FAMILY) for weight in (400, 700)]
        # Headings and code fall back to the sans collection, which holds the mono face. Every face listed is
        # embedded once for the whole book rather than cut into a subset for each issue (layout.py).
        for family in (SANS_FAMILY, LATIN_SANS_FAMILY):
            for weight in (400, 700):
                with contextlib.suppress(PublishError):
                    faces.append(find_face(family, weight))
        stylesheets = read_stylesheets(config, ["common.css", "pdf.css"])
        if request.print_ready:
            stylesheets += read_stylesheets(config, ["press.css"])
        progress = TerminalProgress() if request.show_progress and sys.stdout.isatty() else None
        try:
            rendered = build_pdf(
                book,
                stylesheets,
                config.page_size_mm,
                press=config.print if request.print_ready else None,
                font_files=tuple(face.path for face in faces),
                cache=job.cache,
                on_progress=progress,
                pool=self.pool,  # type: ignore[arg-type]
                merge_in_background="epub" in request.formats,
                links=config.print.links,
            )
        finally:
            if progress is not None:
                progress.close()
        files: dict[str, bytes | Future[bytes]] = {".pdf": rendered.data}
        pages = {".pdf": rendered.pages}
        if request.print_ready:
            from publish.writers.pdf.press.cover import CoverGeometry, build_cover_pdf, spine_width_mm

            width, height = config.page_size_mm
            spine = spine_width_mm(rendered.pages, config.print.paper_thickness_mm)
            geometry = CoverGeometry(width, height, spine, config.print.bleed_mm)
            files["-cover.pdf"] = build_cover_pdf(book, read_stylesheets(config, ["cover.css"])[0], geometry)
            pages["-cover.pdf"] = 1
        if request.booklet:
            from publish.writers.pdf.press.imposition import impose_booklet, signature_order

            # always from trim-size pages, without bleed
            trim = (
                rendered
                if not request.print_ready
                else build_pdf(
                    book,
                    read_stylesheets(config, ["common.css", "pdf.css"]),
                    config.page_size_mm,
                    font_files=tuple(face.path for face in faces),
                    cache=job.cache,
                    pool=self.pool,  # type: ignore[arg-type]
                    links=config.print.links,
                )
            )
            data = trim.data.result() if isinstance(trim.data, Future) else trim.data
            files["-booklet.pdf"] = impose_booklet(data, request.signature)
            pages["-booklet.pdf"] = len(signature_order(trim.pages, request.signature))
        return WriterOutput(
            files=files, warnings=rendered.warnings, provides={"print_pages": rendered.print_pages}, pages=pages
        )
