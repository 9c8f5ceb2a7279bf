"""The EPUB 3 writer: our own XHTML documents (package.py) with subset fonts and a drawn cover
(cover_image.py); it uses the PDF's page map, when the PDF is built too, for the printed page list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publish.config import Config
from publish.errors import Diagnostic, Severity
from publish.model import BuildRequest
from publish.pictures.convert import EPUB, Target
from publish.settings import setting
from publish.writers import Writer, WriterInput, WriterOutput

MB = 1_000_000


@dataclass(frozen=True)
class EpubSettings:
    """What `[epub]` in book.toml may say."""

    max_mb: float = setting(50.0, within=(0.0, 10_000.0), unit="MB")
    """The most the EPUB may weigh: Send to Kindle takes 50 MB by e-mail. When the pictures would take the book
    over it, they are fitted in steps (pictures/convert.py EPUB_STEPS) down to a floor; 0 turns it off."""


class EpubWriter(Writer):
    name = "epub"
    profile = "epub"
    makes = "EPUBs"
    uses = ("print_pages",)
    settings_section = "epub"
    settings = EpubSettings

    def typography_profile(self, request: BuildRequest) -> str:
        return "epub-vertical" if request.reader_edition.vertical else "epub"

    def picture_targets(self, config: Config, request: BuildRequest) -> list[Target]:
        return [EPUB]

    def write(self, job: WriterInput) -> WriterOutput:
        from publish.pictures.convert import EPUB_STEPS, fit_book_pictures
        from publish.writers.embedded_fonts import reading_faces
        from publish.writers.epub.package import build_epub
        from publish.writers.fonts import stylesheet_in_region
        from publish.writers.look import book_stylesheets, coverage_warnings, outdated_copy_warnings
        from publish.writers.pdf.settings import PrintSettings, print_column
        from publish.writers.picture_rows import book_in_rows

        vertical = job.request.reader_edition.vertical
        budget = self.settings_in(job.config).max_mb * MB
        fonts, region = reading_faces(job.config, job.book.meta.language, job.cache)
        names = ["common.css", "epub.css", *(["vertical.css"] if vertical else [])]
        sheets = book_stylesheets(job.config, fonts.look, names, ("extra-epub.css",))
        stylesheet = stylesheet_in_region("\n".join(sheets), region)
        warnings = fonts.look.warnings + coverage_warnings(fonts.look, job.book) + outdated_copy_warnings(job.config)

        in_rows = book_in_rows(job.book, print_column(job.config.section("print", PrintSettings).page_size_mm))

        def made(step: int) -> tuple[bytes, int]:
            book = fit_book_pictures(in_rows, EPUB_STEPS[step], job.cache, job.pictures)
            pages = job.provided.get("print_pages")
            epub = build_epub(book, fonts, stylesheet, book.images, vertical=vertical, print_pages=pages)  # type: ignore[arg-type]
            return epub, sum(len(data) for data in book.images.values())

        epub, pictures = made(0)
        step = 0
        if budget and len(epub) > budget and pictures:
            step = _lightest_needed(job, len(epub) - pictures, budget)
            epub, pictures = made(step)
        job.staging.write_bytes(f"{job.book.meta.slug}.epub", epub)
        return WriterOutput(
            notes=_budget_notes(len(epub), budget, step), warnings=warnings + _over_budget(job, len(epub), budget)
        )


def _lightest_needed(job: WriterInput, rest: int, budget: float) -> int:
    """The first step whose pictures, with the rest of the book (`rest` bytes: text, fonts, cover), fit the
    budget; the last step (the floor) when none does. Pictures are stored in the zip as they are, so their
    bytes add up to what they add to the book."""
    from publish.pictures.convert import EPUB_STEPS, fit_pictures

    for step in range(1, len(EPUB_STEPS)):
        fitted = fit_pictures(job.book.images, EPUB_STEPS[step], job.cache)
        if rest + sum(len(data) for _, data in fitted.values()) <= budget:
            return step
    return len(EPUB_STEPS) - 1


def _budget_notes(size: int, budget: float, step: int) -> tuple[str, ...]:
    from publish.pictures.convert import EPUB_STEPS

    if not step or size > budget:
        return ()
    target = EPUB_STEPS[step]
    return (
        f"EPUB {size / MB:.1f} MB: pictures fitted to {target.max_side} px, quality {target.jpeg_quality}, "
        f"to stay under {budget / MB:g} MB",
    )


def _over_budget(job: WriterInput, size: int, budget: float) -> tuple[Diagnostic, ...]:
    if not budget or size <= budget:
        return ()
    where = job.config.config_path or Path("book.toml")
    return (
        Diagnostic(
            where,
            None,
            "epub.max_mb",
            f"the EPUB is {size / MB:.1f} MB with its pictures at the floor (1000 px, quality 60), over "
            f"{budget / MB:g} MB",
            "make volumes of fewer issues (--range or --year), raise [epub] max_mb, or send the book by cable "
            "or the Send to Kindle app instead of e-mail",
            Severity.WARNING,
        ),
    )
