"""Run the stages in order — collect → render → assemble → write — and put results in place atomically."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from publish import FORMATS
from publish.assemble import assemble_book
from publish.cache import Cache
from publish.config import Config
from publish.edition import edition_chapter, edition_meta
from publish.errors import ContentErrors, Problem, PublishError, Severity, errors_in
from publish.model import Book, Chapter, Edition, Selection
from publish.render import render_cached, tree_fingerprint
from publish.render.markdown import make_parser, render_issue
from publish.source import collect_issues
from publish.typography import typeset_cached
from publish.typography.chain import EPUB_RULES, PDF_RULES, typeset_chapter

if TYPE_CHECKING:
    from publish.writers.pdf.layout import LayoutPool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildRequest:
    source: Path
    output: Path
    formats: tuple[str, ...] = FORMATS
    selection: Selection = field(default_factory=Selection)
    use_cache: bool = True
    source_date_epoch: int | None = None
    image_dir: Path | None = None
    print_ready: bool = False
    """PDF with bleed, crop marks and PDF/X-4, plus the cover sheet."""
    booklet: bool = False
    signature: int | None = None
    reader_edition: Edition = field(default_factory=Edition)
    """Traditional Chinese for Taiwan or Hong Kong, and/or a vertical EPUB (publish/edition.py)."""
    on_progress: Callable[[str, int, int], None] | None = field(default=None, compare=False)
    """Told each time one part of the PDF (an issue, the contents, the folio template) is laid out: its label,
    the parts done and the parts in this round."""


@dataclass(frozen=True)
class BuildResult:
    files: tuple[Path, ...]
    warnings: tuple[Problem, ...]
    chapters: tuple[Chapter, ...]
    remote_images: int


def prepare_chapters(
    source: Path, selection: Selection, image_dir: Path | None = None, cache: Cache | None = None
) -> tuple[list[Chapter], list[Problem]]:
    """Collect and render every issue; no chapters when any file has an error. With a cache folder, an
    issue whose file, neighbouring files and rendering code are unchanged is not rendered again."""
    issues, problems = collect_issues(source, selection)
    md = make_parser()
    fingerprint = tree_fingerprint(source, image_dir) if cache is not None else ""
    chapters: list[Chapter] = []
    for issue in issues:
        chapter, found = render_cached(
            issue, lambda i: render_issue(i, source, md, image_dir=image_dir), cache, fingerprint
        )
        problems.extend(found)
        chapters.append(chapter)
    if errors_in(problems):
        return [], problems
    return chapters, problems


def _read_styles(config: Config, names: list[str]) -> list[str]:
    texts = []
    for name in names:
        path = config.styles_dir / name
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PublishError(
                f"{path}: cannot read the stylesheet ({exc.strerror}); run from the project folder or pass --config"
            ) from exc
    return texts


def _all_images(book: Book) -> dict[str, bytes]:
    return {href: path for chapter in book.chapters for href, path in chapter.images.items()}


Outputs = tuple[dict[str, bytes | Future[bytes]], list[Problem]]
"""A writer's files by name suffix (bytes, or a future for work still running in a worker), and the
warnings it found."""


def _write_epub(
    config: Config, book: Book, request: BuildRequest, cache: Cache | None, shared: dict[str, object]
) -> Outputs:
    from publish.writers.epub.package import EpubFonts, build_epub
    from publish.writers.fonts import find_face

    fonts = EpubFonts(regular=find_face(weight=400), bold=find_face(weight=700), cache=cache)
    vertical = request.reader_edition.vertical
    stylesheet = "\n".join(_read_styles(config, ["common.css", "epub.css", *(["vertical.css"] if vertical else [])]))
    print_pages = shared.get("print_pages")  # the PDF's pages, when it was built in this run
    epub = build_epub(book, fonts, stylesheet, _all_images(book), vertical=vertical, print_pages=print_pages)
    return {".epub": epub}, []


def _write_pdf(
    config: Config, book: Book, request: BuildRequest, cache: Cache | None, shared: dict[str, object]
) -> Outputs:
    """The interior PDF; with --print-ready the press version and its cover; with --booklet the imposed
    booklet (always from trim-size pages, without bleed)."""
    from publish.writers.fonts import LATIN_SANS_FAMILY, LATIN_SERIF_FAMILY, SANS_FAMILY, SERIF_FAMILY, find_face
    from publish.writers.pdf.document import PressOptions, build_pdf, cmyk_profile

    # Fail with a clear message rather than lay out in a fallback face.
    faces = [find_face(family, weight) for family in (SERIF_FAMILY, LATIN_SERIF_FAMILY) for weight in (400, 700)]
    # Headings and code fall back to the sans collection, which holds the mono face. Every face listed is
    # embedded once for the whole book rather than cut into a subset for each issue (pdf_layout.py).
    for family in (SANS_FAMILY, LATIN_SANS_FAMILY):
        for weight in (400, 700):
            with contextlib.suppress(PublishError):
                faces.append(find_face(family, weight))
    layout = {
        "font_files": tuple(face.path for face in faces),
        "cache": cache,
        "on_progress": request.on_progress,
        "pool": shared.get("layout_pool"),
        "merge_in_background": "epub" in request.formats,
    }
    stylesheets = _read_styles(config, ["common.css", "pdf.css"])
    images = _all_images(book)
    outputs: dict[str, bytes] = {}
    warnings: list[Problem] = []
    trim_pdf = None
    if request.print_ready:
        from publish.writers.pdf.press.cover import CoverGeometry, build_cover_pdf, spine_width_mm

        press = PressOptions(bleed_mm=config.print.bleed_mm, crop_marks=config.print.crop_marks)
        rendered = build_pdf(
            book,
            [*stylesheets, *_read_styles(config, ["press.css"])],
            config.page_size_mm,
            images,
            press=press,
            **layout,
        )
        outputs[".pdf"] = rendered.data
        shared["print_pages"] = rendered.print_pages
        warnings.extend(rendered.warnings)
        width, height = config.page_size_mm
        geometry = CoverGeometry(
            width, height, spine_width_mm(rendered.pages, config.print.paper_thickness_mm), config.print.bleed_mm
        )
        cover_css = _read_styles(config, ["cover.css"])[0]
        outputs["-cover.pdf"] = build_cover_pdf(book, cover_css, geometry, cmyk_profile().read_bytes())
    else:
        rendered = build_pdf(book, stylesheets, config.page_size_mm, images, **layout)
        trim_pdf = rendered.data
        shared["print_pages"] = rendered.print_pages
        outputs[".pdf"] = trim_pdf
    if request.booklet:
        from publish.writers.pdf.press.imposition import impose_booklet

        if trim_pdf is None:
            trim_pdf = build_pdf(book, stylesheets, config.page_size_mm, images, **layout).data
        if isinstance(trim_pdf, Future):
            trim_pdf = trim_pdf.result()
        outputs["-booklet.pdf"] = impose_booklet(trim_pdf, request.signature)
    return outputs, warnings


WRITERS: dict[str, Callable[[Config, Book, BuildRequest, Cache | None, dict[str, object]], Outputs]] = {
    "epub": _write_epub,
    "pdf": _write_pdf,
}
"""Each format's writer returns its files by name suffix: `.epub`; `.pdf`, `-cover.pdf`, `-booklet.pdf`.
The PDF writer runs first and leaves its printed pages in the shared dict, for the EPUB's page list."""
TYPOGRAPHY: dict[str, tuple[str, ...]] = {"epub": EPUB_RULES, "pdf": PDF_RULES}
"""The CJK rules each output's engine needs (publish/typography.py)."""


def _check_output_folder(request: BuildRequest) -> None:
    output, source = request.output.resolve(), request.source.resolve()
    if output == source or output.is_relative_to(source):
        raise PublishError(
            f"the output folder {request.output} is inside the source folder {request.source}; "
            "the build never writes there: pass another --output"
        )


def build(config: Config, request: BuildRequest, pool: LayoutPool | None = None) -> BuildResult:
    """Validate everything first; write nothing unless all sources are sound; replace outputs atomically.
    The PDF's layout workers start first (or the caller started them, earlier still), so that they get
    ready while the issues are read."""
    _check_output_folder(request)
    if "pdf" not in request.formats:
        return _build(config, request, {})
    if pool is not None:
        return _build(config, request, {"layout_pool": pool})
    from publish.writers.pdf.layout import LayoutPool

    with LayoutPool() as own_pool:
        return _build(config, request, {"layout_pool": own_pool})


def _build(config: Config, request: BuildRequest, shared: dict[str, object]) -> BuildResult:
    cache = Cache(request.output / ".cache") if request.use_cache else None
    chapters, problems = prepare_chapters(request.source, request.selection, request.image_dir, cache)
    if not chapters:
        raise ContentErrors(problems)
    if not request.reader_edition.is_default:
        chapters = [edition_chapter(chapter, request.reader_edition) for chapter in chapters]
    cover = config.cover_path.read_bytes() if config.cover_path else None

    output = request.output
    output.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=output))
    written: list[Path] = []
    try:
        staged: list[tuple[Path, Path]] = []
        pending: list[tuple[bytes | Future[bytes], Path]] = []
        for fmt in sorted(request.formats, key=lambda f: f != "pdf"):
            vertical = fmt == "epub" and request.reader_edition.vertical
            rules = TYPOGRAPHY[fmt] + (("upright_numbers",) if vertical else ())
            typeset = [typeset_cached(chapter, rules, typeset_chapter, cache) for chapter in chapters]
            book = assemble_book(
                config, typeset, request.selection, source_date_epoch=request.source_date_epoch, cover_image=cover
            )
            book = replace(book, meta=edition_meta(book.meta, request.reader_edition))
            files, found = WRITERS[fmt](config, book, request, cache, shared)
            problems.extend(found)
            for suffix, data in files.items():
                target = output / f"{book.meta.slug}{suffix}"
                pending.append((data, target))
        for data, target in pending:  # a PDF merge may have run in a worker while the EPUB was made
            temporary = staging / target.name
            with open(temporary, "wb") as handle:
                handle.write(data.result() if isinstance(data, Future) else data)
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((temporary, target))
        for temporary, target in staged:
            os.replace(temporary, target)
            written.append(target)
        if cache is not None:
            cache.prune()
    except OSError as exc:
        raise PublishError(
            f"cannot write the books into {output}: {exc.strerror or exc}; the previous output is unchanged"
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        files=tuple(written),
        warnings=tuple(p for p in problems if p.severity is Severity.WARNING),
        chapters=tuple(chapters),
        remote_images=sum(c.remote_images for c in chapters),
    )
