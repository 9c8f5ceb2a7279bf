"""The PDF writer: each issue, the front matter and a folio template laid out as parts of their own by
WeasyPrint in worker processes (layout.py), then merged into one book (merge.py); document.py makes the
parts' HTML and runs both. With --print-ready the press version and its cover, with --booklet the imposed
booklet (press/). It provides the page map of the printed book (page_map.py) to the EPUB, and declares its
settings (`[print]`, settings.py) and options here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from publish.errors import UsageError
from publish.model import BuildRequest
from publish.writers import Writer, WriterInput, WriterOption, WriterOutput
from publish.writers.pdf.qr_codes import LARGEST_MM
from publish.writers.pdf.settings import PrintSettings

if TYPE_CHECKING:
    from publish.config import Config
    from publish.pictures.convert import Target
    from publish.writers.pdf.document import RenderedPdf


def _signature(value: int | None) -> int | None:
    if value is not None and value % 4:
        raise UsageError(f"{value} is not a multiple of 4", option="--signature")
    return value


class PdfWriter(Writer):
    name = "pdf"
    profile = "pdf"
    makes = "PDFs"
    provides = ("print_pages",)
    settings_section = "print"
    settings = PrintSettings
    options = (
        WriterOption(
            "--print-ready",
            "print_ready",
            "PDF for a press: bleed, crop marks, PDF/X-4 in CMYK; also writes <slug>-cover.pdf.",
            is_flag=True,
        ),
        WriterOption(
            "--booklet", "booklet", "Also write <slug>-booklet.pdf, imposed for saddle stitching.", is_flag=True
        ),
        WriterOption(
            "--signature",
            "signature",
            "With --booklet: pages per signature (a multiple of 4), for a thick book.",
            type=int,
            minimum=4,
            check=_signature,
        ),
    )

    def __init__(self) -> None:
        self.pool: object = None

    def picture_targets(self, config: Config, request: BuildRequest) -> list[Target]:
        from publish.pictures.convert import pdf_target
        from publish.writers.pdf.settings import text_block_mm

        return [pdf_target(*text_block_mm(self.settings_in(config).page_size_mm, _body_pt(config)))]

    @contextmanager
    def prepare(self, request: BuildRequest) -> Iterator[object]:
        """Start the layout workers first thing: they load WeasyPrint (half a second) while the issues are
        read; they are stopped when the build ends, killed when it fails or is interrupted. A resident build
        (`--watch`) also gets a process that keeps the merged book open between builds."""
        from publish.writers.pdf.layout import LayoutPool

        with LayoutPool(keep_merged=request.resident) as pool:
            self.pool = pool
            yield pool

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.writers.look import book_look, book_stylesheets, coverage_warnings, outdated_copy_warnings
        from publish.writers.pdf.document import PdfLook, build_pdf
        from publish.writers.pdf.progress import TerminalProgress

        config, book, request = job.config, job.book, job.request
        settings: PrintSettings = self.settings_in(config)
        print_ready, booklet = self.option(request, "print_ready", False), self.option(request, "booklet", False)
        # Every face the book may draw with (chosen and built-in, found when the look is made, so that a
        # missing one fails with a clear message) is embedded once for the whole book rather than cut into a
        # subset for each issue (layout.py).
        # The PDF is set in the SC faces whatever its language: Pango applies the text's `locl` forms, which
        # every PDF viewer then shows as drawn.
        look = book_look(config, "SC")
        pdf_fonts = look.pdf_fonts(job.cache)
        font_files = tuple(dict.fromkeys([*(face.path for face in look.system_faces()), *pdf_fonts.files.values()]))
        pdf_look = PdfLook(
            font_pt=_body_pt(config),
            typefaces=tuple(look.colophon_faces(("body", "heading", "sans", "code", "latin"))),
            project_fonts=tuple(pdf_fonts.files.items()),
            served_fonts=tuple(pdf_fonts.served.items()),
        )
        names = ["common.css", "pdf.css", *(["press.css"] if print_ready else [])]
        stylesheets = book_stylesheets(config, look, names, ("extra-pdf.css",), pdf=pdf_fonts)
        warnings = look.warnings + coverage_warnings(look, book) + outdated_copy_warnings(config)
        progress = TerminalProgress() if request.show_progress and sys.stdout.isatty() else None
        try:
            volumes = build_pdf(
                book,
                stylesheets,
                settings.page_size_mm,
                press=settings if print_ready else None,
                font_files=font_files,
                look=pdf_look,
                cache=job.cache,
                on_progress=progress,
                pool=self.pool,  # type: ignore[arg-type]
                merge_in_background=job.work_follows,
                links=settings.links,
                max_pages=settings.max_pages,
                prefitted=job.pictures,
                tagged=settings.tagged,
            )
        finally:
            if progress is not None:
                progress.close()
        several = len(volumes) > 1
        pages: dict[str, int] = {}
        print_pages: dict[str, object] = {}
        trims = volumes
        if booklet and print_ready:  # the booklet is always imposed from trim-size pages, without bleed
            trims = build_pdf(
                book,
                book_stylesheets(config, look, ["common.css", "pdf.css"], ("extra-pdf.css",), pdf=pdf_fonts),
                settings.page_size_mm,
                font_files=font_files,
                look=pdf_look,
                cache=job.cache,
                pool=self.pool,  # type: ignore[arg-type]
                links=settings.links,
                split=[volume.issues for volume in volumes],
                prefitted=job.pictures,
            )
        for number, (volume, trim) in enumerate(zip(volumes, trims, strict=True), start=1):
            stem = f"{book.meta.slug}-{number}" if several else book.meta.slug
            pages.update(self._write_volume(job, settings, volume, trim, stem, print_ready, booklet))
            print_pages.update(volume.print_pages)
        return WriterOutput(
            warnings=warnings + volumes[0].warnings,
            provides={"print_pages": print_pages},
            pages=pages,
            notes=_volume_notes(volumes, settings.max_pages) + _code_notes(volumes[0].printed_instead_of_codes),
        )

    def _write_volume(
        self,
        job: WriterInput,
        settings: PrintSettings,
        volume: RenderedPdf,
        trim: RenderedPdf,
        stem: str,
        print_ready: bool,
        booklet: bool,
    ) -> dict[str, int]:
        """One volume's files: the PDF, and with --print-ready its cover (its own spine), with --booklet its
        imposed booklet. Their page counts, by file name."""
        if isinstance(volume.data, bytes):
            job.staging.write_bytes(f"{stem}.pdf", volume.data)
        else:  # the merge runs in a worker while the next writer works
            job.staging.write_later(f"{stem}.pdf", volume.data)
        pages = {f"{stem}.pdf": volume.pages}
        if print_ready:
            from publish.writers.look import book_look, book_stylesheets
            from publish.writers.pdf.press.cover import CoverGeometry, build_cover_pdf, spine_width_mm

            width, height = settings.page_size_mm
            spine = spine_width_mm(volume.pages, settings.paper_thickness_mm)
            geometry = CoverGeometry(width, height, spine, settings.bleed_mm)
            book = job.book
            if volume.volume:
                chapters = book.chapters[volume.issues.start : volume.issues.stop]
                part = replace(book, chapters=chapters)
                book = replace(part, meta=replace(book.meta, volume_line=f"{volume.volume}　{part.issue_span}"))
            look = book_look(job.config, "SC")
            cover = build_cover_pdf(book, "\n".join(book_stylesheets(job.config, look, ["cover.css"])), geometry)
            job.staging.write_bytes(f"{stem}-cover.pdf", cover)
            pages[f"{stem}-cover.pdf"] = 1
        if booklet:
            from publish.writers.pdf.press.imposition import impose_booklet, signature_order

            signature = self.option(job.request, "signature")
            data = trim.data if isinstance(trim.data, bytes) else trim.data.result()
            job.staging.write_bytes(f"{stem}-booklet.pdf", impose_booklet(data, signature))
            pages[f"{stem}-booklet.pdf"] = len(signature_order(trim.pages, signature))
        return pages


def _body_pt(config: Config) -> float:
    """The PDF's body size: [style] body_size, else the built-in 10 pt."""
    from publish.config import StyleSettings
    from publish.writers.pdf.settings import BODY_FONT_PT

    return config.section("style", StyleSettings).body_size or BODY_FONT_PT


def _code_notes(printed: int) -> tuple[str, ...]:
    if not printed:
        return ()
    return (
        f"{printed} link address(es) printed instead of a QR code: their code would print larger than "
        f"{LARGEST_MM:.0f} mm, too dense to scan from paper",
    )


def _volume_notes(volumes: list[RenderedPdf], max_pages: int) -> tuple[str, ...]:
    if len(volumes) == 1:
        return ()
    listed = ", ".join(f"{volume.volume} {volume.pages} pages" for volume in volumes)
    return (
        f"PDF in {len(volumes)} volumes ({listed}): the book has more pages than [print] max_pages = {max_pages}, "
        "what a perfect binding holds; max_pages = 0 keeps one volume",
    )
