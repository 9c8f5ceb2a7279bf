"""Write the PDF with WeasyPrint: each issue, the front matter and the folios laid out as parts of their own
(writers/pdf/layout.py) by styles/pdf.css, then merged into one book (writers/pdf/merge.py).

For the press (`--print-ready`) the same book gets bleed, crop marks, PDF/X-4 with a CMYK output intent
and CMYK colours; in every PDF the inner margin grows with the page count as print-on-demand services
require, footnotes sit at the foot of their page, and page labels match the printed folios.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from publish.cache import Cache, code_digest, entry_key
from publish.edition import label_in
from publish.errors import Diagnostic, InternalError, Severity
from publish.model import Book, Chapter, PrintPage
from publish.pictures.convert import fit_book_pictures, pdf_target
from publish.writers.page_templates import render_page
from publish.writers.pdf.layout import LaidOutPart, LayoutJob, LayoutPool, ProgressCallback
from publish.writers.pdf.links import PaperLinks, issue_page_code, links_on_paper
from publish.writers.pdf.merge import FOLIO_TEMPLATE
from publish.writers.pdf.page_plan import (
    ContentsNumber,
    PagePlan,
    balanced_volumes,
    even,
    plan_body_pages,
    volume_names,
)
from publish.writers.pdf.press import PRESS_PROFILE, cmyk_profile, press_css
from publish.writers.pdf.qr_codes import PRESS_INK, SCREEN_INK
from publish.writers.pdf.settings import (
    BODY_FONT_PT,
    BOTTOM_MARGIN_MM,
    MIN_INNER_MARGIN_MM,
    MIN_OUTER_MARGIN_MM,
    MM_PER_PT,
    TOP_MARGIN_MM,
    PrintSettings,
    print_column,
    text_block_mm,
)
from publish.writers.picture_rows import book_in_rows
from publish.xhtml import inner_markup, parse_body

log = logging.getLogger(__name__)

_MM_PER_INCH = 25.4
GUTTER_BY_PAGES = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (None, 0.875))
"""Minimum inside margin, in inches, by page count: what print-on-demand services ask of a bound book."""
PRESS_MIN_DPI = 300


@dataclass(frozen=True)
class PdfLook:
    """What the book's look (writers/look.py) gives the layout besides its stylesheets: the body size, the
    faces the colophon names, and the project's font files that its @font-face rules load."""

    font_pt: float = BODY_FONT_PT
    typefaces: tuple[tuple[str, str, str], ...] = ()
    project_fonts: tuple[tuple[str, Path], ...] = ()
    served_fonts: tuple[tuple[str, bytes], ...] = ()
    """Small faces every part may load by their path under the book's base URL (the built-in quotation marks)."""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes | Future[bytes]
    """The PDF, or (with a layout pool) the merge still running in a worker: the caller collects it when
    it writes the file, so that the EPUB is made meanwhile."""
    warnings: tuple[Diagnostic, ...]
    pages: int
    print_pages: Mapping[str, list[PrintPage]] = field(default_factory=dict)
    """By issue anchor: its printed pages and the block each begins with, for the EPUB's page list."""
    volume: str = ""
    """The volume's name (上册…), when the book is split into volumes; empty for a book in one volume."""
    issues: range = range(0)
    """Which of the book's issues the volume holds, by index."""
    printed_instead_of_codes: int = 0
    """Links of the whole book whose address is printed because their QR code would be too large to scan."""


def gutter_mm(pages: int) -> float:
    for limit, inches in GUTTER_BY_PAGES:
        if limit is None or pages <= limit:
            return inches * _MM_PER_INCH
    raise AssertionError("unreachable")


def inner_margin_mm(pages: int) -> float:
    return max(MIN_INNER_MARGIN_MM, gutter_mm(pages))


def page_geometry_css(
    page_size_mm: tuple[float, float], inner_mm: float = MIN_INNER_MARGIN_MM, font_pt: float = BODY_FONT_PT
) -> str:
    """Trim, mirrored margins and body size, with the text block a whole number of em wide, so that
    a line of Chinese fills it exactly and justification has nothing to stretch."""
    width, height = page_size_mm
    em_mm = font_pt * MM_PER_PT
    ems = int((width - inner_mm - MIN_OUTER_MARGIN_MM) // em_mm)
    outer = width - inner_mm - ems * em_mm
    return render_page(
        "pdf_page_geometry.css",
        width=width,
        height=height,
        top=TOP_MARGIN_MM,
        bottom=BOTTOM_MARGIN_MM,
        outer=outer,
        inner=inner_mm,
        font_pt=font_pt,
        picture_max_height=(height - TOP_MARGIN_MM - BOTTOM_MARGIN_MM) * 2 / 3,
    )


def footnotes_at_page_foot(body: str) -> str:
    """Move each footnote's text to its call, as a `float: footnote` span, and drop the list at the end;
    WeasyPrint then sets it at the foot of the page and numbers it."""
    root = parse_body(body)
    notes = {item.get("id"): item for item in root.iter("li") if "footnote-item" in (item.get("class") or "")}
    if not notes:
        return body
    for sup in list(root.iter("sup")):
        link = sup.find("a")
        if "footnote-ref" not in (sup.get("class") or "") or link is None:
            continue
        item = notes.get((link.get("href") or "").lstrip("#"))
        if item is None:
            continue
        note = etree.Element("span", {"class": "footnote"})
        paragraphs = item.findall("p") or [item]
        for index, paragraph in enumerate(paragraphs):
            if index:
                etree.SubElement(note, "br")
            copy = etree.fromstring(etree.tostring(paragraph))
            for back in copy.iter("a"):
                if "footnote-backref" in (back.get("class") or ""):
                    back.getparent().remove(back)
            if len(note):
                note[-1].tail = (note[-1].tail or "") + (copy.text or "")
            else:
                note.text = (note.text or "") + (copy.text or "")
            note.extend(list(copy))
        anchor = etree.Element("span", {"class": "footnote-anchor"})
        anchor.tail = sup.tail
        previous, parent = sup.getprevious(), sup.getparent()
        owner, attribute = (previous, "tail") if previous is not None else (parent, "text")
        text = (getattr(owner, attribute) or "").rstrip("\u2060")
        if text:  # the call stays on the line of the character before it
            setattr(owner, attribute, text[:-1])
            anchor.text = text[-1]
        anchor.append(note)
        parent.replace(sup, anchor)
    for element in list(root.iter("section", "hr")):
        if element.get("class") in ("footnotes", "footnotes-sep"):
            element.getparent().remove(element)
    return inner_markup(root)


PAPER_KIND = "paper-links"
"""An issue's body with its links numbered and listed for paper (links.py), by the body and the settings: a
build with nothing changed spent a quarter of its time numbering the links of every issue again."""


def _for_paper(book: Book, links: str, ink: str, cache: Cache | None = None) -> tuple[Book, int]:
    """Each chapter as paper shows it: its links' addresses printed (links.py), footnotes at the page foot,
    its web page's code under its header; and how many addresses were printed because their QR code would not scan."""
    heading = label_in("本期链接", book.meta.language)
    chapters = []
    printed = 0
    for chapter in book.chapters:
        paper = _paper_links(chapter, links, heading, ink, cache)
        printed += paper.printed_instead_of_codes
        body = footnotes_at_page_foot(paper.body)
        if chapter.web_url:  # on the issue's opening page, under its header
            scan = label_in("扫码阅读本期网页版", chapter.issue.lang)  # in the issue's script
            body = issue_page_code(chapter.web_url, scan, ink) + body
        chapters.append(replace(chapter, body=body))
    return replace(book, chapters=tuple(chapters)), printed


_papers_seen: dict[str, PaperLinks] = {}
"""The paper links made or read in this process, by key: a resident build (`--watch`) asks for every issue's
after each edit."""


def _paper_links(chapter: Chapter, links: str, heading: str, ink: str, cache: Cache | None) -> PaperLinks:
    arguments = {"anchor": chapter.anchor, "heading": heading, "ink": ink}
    key = entry_key(code_digest("publish.writers.pdf.links"), chapter.body, links, *arguments.values())
    if key in _papers_seen:
        return _papers_seen[key]
    found = cache.get_json(PAPER_KIND, key) if cache is not None else None
    if isinstance(found, list) and len(found) == 2 and isinstance(found[0], str) and isinstance(found[1], int):
        paper = PaperLinks(found[0], found[1])
    else:
        paper = links_on_paper(chapter.body, links, **arguments)
        if cache is not None:
            cache.put_json(PAPER_KIND, key, [paper.body, paper.printed_instead_of_codes])
    if len(_papers_seen) >= PAPERS_REMEMBERED:
        _papers_seen.clear()
    _papers_seen[key] = paper
    return paper


PAPERS_REMEMBERED = 1024
"""Two decades of a weekly."""


def front_matter_html(book: Book, slot_digits: int, typefaces: Sequence[tuple[str, str, str]] = ()) -> str:
    """Title page, colophon (naming `typefaces`) and contents, with a slot `slot_digits` digits wide for each
    issue's page number."""
    return render_page(
        "pdf_book.html",
        book=book,
        typefaces=typefaces,
        part="front",
        page_slot="0" * slot_digits,
        stylesheets=[],
        href=lambda c: f"#{c.anchor}",
    )


def issue_html(book: Book, chapter: Chapter) -> str:
    """One issue as a document of its own, with the book's head so that its pages carry the book's title."""
    return render_page(
        "pdf_book.html", book=replace(book, chapters=(chapter,)), part="issue", stylesheets=[], href=None
    )


def folio_template_html(book: Book) -> str:
    """The pages the merge draws folios, contents numbers and running heads from (templates/pdf_folios.html)."""
    return render_page("pdf_folios.html", book=book, sample=FOLIO_TEMPLATE)


CHARACTERS_PER_PAGE = 600
"""Characters of text per page, measured on 52 issues of the corpus (about 550 with headings, lists and
blank versos): the first guess of the page count, from which the gutter is chosen before layout."""
PAGES_PER_PICTURE = 0.4
"""A picture is set at most two thirds of the text block high; most are wide and take less."""
ESTIMATE_MARGIN = 1.1
"""The gutter is chosen for a tenth more pages than estimated: a wider gutter than a book needs is harmless,
a narrower one means laying every issue out again (document.build_pdf), so the guess errs on the long side."""
_MARKUP = re.compile(r"<[^>]*>")
_PICTURE = re.compile(r"<img\b")


def _estimated_body_pages(chapters: tuple[Chapter, ...]) -> int:
    characters = sum(len(_MARKUP.sub("", chapter.body)) for chapter in chapters)
    pictures = sum(len(_PICTURE.findall(chapter.body)) for chapter in chapters)
    return len(chapters) + characters // CHARACTERS_PER_PAGE + round(pictures * PAGES_PER_PICTURE)


def estimated_pages(book: Book) -> int:
    return _estimated_body_pages(book.chapters) + 8


def estimated_last_opening(book: Book) -> int:
    """The guess of the page the last issue opens on, whose digits size the contents' page-number slots."""
    return 1 + _estimated_body_pages(book.chapters[:-1])


@dataclass(frozen=True)
class _LaidOutBook:
    """Every part of the book laid out with one gutter: the front matter, the issues, the folio template."""

    front: LaidOutPart
    issues: list[LaidOutPart]
    folio_template: LaidOutPart
    first_pages: dict[str, int]
    """Each issue's first folio, by its anchor."""
    pages: int
    geometry: str
    """The page geometry every part was laid out with (its gutter chosen for the whole book's page count)."""


class _PartJobs:
    """The layout jobs of the book's parts, for one gutter (inside margin)."""

    def __init__(
        self,
        book: Book,
        styles: list[str],
        resources: dict[str, bytes],
        font_files: tuple[Path, ...],
        *,
        tagged: bool,
        look: PdfLook,
    ):
        from publish.internals.weasy.fonts import font_identities
        from publish.writers.pdf.layout import layout_fingerprint

        self.book, self.styles, self.resources = book, styles, resources
        self.press = PRESS_PROFILE in resources
        self.tagged = tagged
        self.look = look
        self.icc = {PRESS_PROFILE: resources[PRESS_PROFILE]} if self.press else {}
        self.fingerprint = layout_fingerprint(font_files)
        self.shared_faces = {
            identity: face for path in set(font_files) for identity, face in font_identities(path).items()
        }
        self.issue_html = [issue_html(book, chapter) for chapter in book.chapters]

    def of(self, book: Book) -> _PartJobs:
        """The same jobs for a volume of the book (its front matter and folio template; its issues are laid
        out already): the faces and fingerprint are shared, no issue's HTML is made again."""
        other = object.__new__(_PartJobs)
        other.__dict__.update(self.__dict__)
        other.book = book
        other.issue_html = []
        return other

    def _job(self, label: str, html: str, geometry: str, used: Mapping[str, bytes], **flags: bool) -> LayoutJob:
        return LayoutJob(
            label=label,
            html=html,
            stylesheets=(*self.styles, geometry),
            resources={**used, **dict(self.look.served_fonts)},
            press=self.press,
            fingerprint=self.fingerprint,
            shared_fonts=frozenset(self.shared_faces),
            project_fonts=tuple((url, str(path)) for url, path in self.look.project_fonts),
            **flags,
        )

    def issues(self, geometry: str) -> list[LayoutJob]:
        return [
            self._job(
                f"第 {chapter.issue.number} 期",
                html,
                geometry,
                {href: self.resources[href] for href in chapter.images if href in self.resources} | self.icc,
                page_blocks=True,
                tagged=self.tagged,
            )
            for chapter, html in zip(self.book.chapters, self.issue_html, strict=True)
        ]

    def folios(self, geometry: str) -> LayoutJob:
        return self._job("页码", folio_template_html(self.book), geometry, self.icc, first=True)

    def contents(self, geometry: str, digits: int) -> LayoutJob:
        """The front matter, whose contents leave a slot `digits` wide for each issue's page number."""
        return self._job(
            "目录",
            front_matter_html(self.book, digits, self.look.typefaces),
            geometry,
            self.icc,
            number_slots=True,
            tagged=self.tagged,
        )


def _lay_out_book(
    jobs: _PartJobs,
    page_size_mm: tuple[float, float],
    layout_cache: object,
    on_progress: ProgressCallback | None,
    pool: LayoutPool | None,
) -> _LaidOutBook:
    """Every part laid out with the gutter an estimate of the page count asks for; again, in the rare case the
    count asks for a wider one. The contents are laid out alongside the issues, with a slot as many digits
    wide as the guess of the last opening's folio, and again if the guess was a digit off."""
    from publish.writers.pdf.layout import lay_out_all

    book = jobs.book
    slot_digits = len(str(estimated_last_opening(book)))
    estimate = estimated_pages(book)
    inner = inner_margin_mm(round(estimate * ESTIMATE_MARGIN))
    for _attempt in range(3):
        geometry = page_geometry_css(page_size_mm, inner, jobs.look.font_pt)
        *issues, folio_template, front = lay_out_all(
            [*jobs.issues(geometry), jobs.folios(geometry), jobs.contents(geometry, slot_digits)],
            layout_cache,  # type: ignore[arg-type]
            on_progress,
            pool,
        )
        first_pages: dict[str, int] = {}
        folio = 1
        for chapter, part in zip(book.chapters, issues, strict=True):
            first_pages[chapter.anchor] = folio
            folio += even(part.pages)
        digits = len(str(max(first_pages.values(), default=1)))
        if digits != slot_digits:  # the guess was a digit off
            slot_digits = digits
            (front,) = lay_out_all([jobs.contents(geometry, slot_digits)], layout_cache, on_progress, pool)  # type: ignore[arg-type]
        pages = even(front.pages) + folio - 1
        if inner_margin_mm(pages) <= inner:
            log.info("PDF: %d pages (estimated %d), laid out once, %.1f mm inside margin", pages, estimate, inner)
            break
        log.info(
            "PDF: %d pages need a %.1f mm inside margin, the estimate (%d pages) gave %.1f mm: "
            "every issue is laid out again",
            pages,
            inner_margin_mm(pages),
            estimate,
            inner,
        )
        inner = inner_margin_mm(pages)
    return _LaidOutBook(front, issues, folio_template, first_pages, pages, geometry)


def _page_plan(laid_out: _LaidOutBook) -> PagePlan:
    front, first_pages = laid_out.front, laid_out.first_pages
    if sorted(slot.target for slot in front.number_slots) != sorted(first_pages):
        raise InternalError("the contents do not hold one page-number slot per issue")
    return PagePlan(
        front=front.pdf,
        bodies=tuple(part.pdf for part in laid_out.issues),
        folio_template=laid_out.folio_template.pdf,
        pages=plan_body_pages([part.blank for part in laid_out.issues]),
        contents_numbers=tuple(
            ContentsNumber(s.page, s.right, s.baseline, first_pages[s.target]) for s in front.number_slots
        ),
    )


def _font_programs(laid_out: _LaidOutBook, jobs: _PartJobs, cache: Cache | None) -> dict[str, bytes]:
    """One subset of each shared face, of the glyphs every part used of it, by its subset tag."""
    from publish.writers.fonts import glyph_subset

    glyphs_by_tag: dict[str, tuple[tuple, set[int]]] = {}
    for part in (laid_out.front, *laid_out.issues, laid_out.folio_template):
        for tag, (identity, glyphs) in part.shared_fonts.items():
            glyphs_by_tag.setdefault(tag, (identity, set()))[1].update(glyphs)
    return {
        tag: glyph_subset(*jobs.shared_faces[identity], sorted(glyphs), cache)
        for tag, (identity, glyphs) in glyphs_by_tag.items()
    }


def _print_pages(book: Book, laid_out: _LaidOutBook, volume: str = "", number: int = 0) -> dict[str, list[PrintPage]]:
    """By issue anchor: its printed pages and the block each begins with, for the EPUB's page list."""
    return {
        chapter.anchor: [
            PrintPage(laid_out.first_pages[chapter.anchor] + index, block, volume, number)
            for index, (block, blank) in enumerate(zip(part.page_blocks, part.blank, strict=True))
            if not blank
        ]
        for chapter, part in zip(book.chapters, laid_out.issues, strict=True)
    }


def _volume(
    laid_out: _LaidOutBook,
    jobs: _PartJobs,
    issues: range,
    name: str,
    layout_cache: object,
    pool: LayoutPool | None,
) -> tuple[_PartJobs, _LaidOutBook]:
    """One volume of a book split in several: its issues' parts as laid out for the whole book, and its own
    front matter (title page naming the volume and its issues, its own contents) and folio template (its
    running heads), with folios from 1."""
    from publish.writers.pdf.layout import lay_out_all

    book = jobs.book
    chapters = book.chapters[issues.start : issues.stop]
    part = replace(book, chapters=chapters)
    line = f"{name}　{part.issue_span}"
    meta = replace(book.meta, volume_line=line, span=f"{book.meta.span}，{name}")
    volume_jobs = jobs.of(replace(part, meta=meta))
    parts = laid_out.issues[issues.start : issues.stop]
    first_pages: dict[str, int] = {}
    folio = 1
    for chapter, laid in zip(chapters, parts, strict=True):
        first_pages[chapter.anchor] = folio
        folio += even(laid.pages)
    digits = len(str(max(first_pages.values(), default=1)))
    geometry = laid_out.geometry
    folio_template, front = lay_out_all(
        [volume_jobs.folios(geometry), volume_jobs.contents(geometry, digits)],
        layout_cache,  # type: ignore[arg-type]
        None,
        pool,
    )
    pages = even(front.pages) + folio - 1
    return volume_jobs, _LaidOutBook(front, list(parts), folio_template, first_pages, pages, geometry)


def volume_split(laid_out: _LaidOutBook, max_pages: int) -> list[range]:
    """The issues of each volume: all in one when the book has at most `max_pages` pages (or no limit is set),
    else balanced volumes of at most that many pages, front matter included."""
    if not max_pages or laid_out.pages <= max_pages:
        return [range(len(laid_out.issues))]
    return balanced_volumes([even(part.pages) for part in laid_out.issues], max_pages - even(laid_out.front.pages))


def build_pdf(
    book: Book,
    stylesheets: list[str],
    page_size_mm: tuple[float, float],
    *,
    press: PrintSettings | None = None,
    font_files: tuple[Path, ...] = (),
    look: PdfLook = PdfLook(),
    cache: Cache | None = None,
    on_progress: ProgressCallback | None = None,
    pool: LayoutPool | None = None,
    merge_in_background: bool = False,
    links: str = "endnotes",
    tagged: bool = True,
    max_pages: int = 0,
    split: list[range] | None = None,
    prefitted: dict[str, tuple[bytes, str]] | None = None,
) -> list[RenderedPdf]:
    """The whole PDF: every issue, the front matter and the folio template laid out on their own (in the
    pool's workers, cached), then merged by a page plan with the folios and the contents' page numbers drawn
    in (with `merge_in_background`, in a worker while the caller goes on; otherwise here, which spares
    sending the parts to another process). A book over `max_pages` pages (or as `split` says, by the issues of
    each volume) comes out as balanced volumes at issue boundaries, each merged as a book of its own."""
    from publish.writers.pdf.layout import LayoutCache

    book = book_in_rows(book, print_column(page_size_mm))
    ink = PRESS_INK if press is not None else SCREEN_INK
    fitted = fit_book_pictures(book, pdf_target(*text_block_mm(page_size_mm, look.font_pt)), cache, prefitted)
    book, printed_instead_of_codes = _for_paper(fitted, links, ink, cache)
    resources: dict[str, bytes] = dict(book.images)
    styles = list(stylesheets)
    if press is not None:
        resources[PRESS_PROFILE] = cmyk_profile()
        styles.append(press_css(press))
    jobs = _PartJobs(book, styles, resources, font_files, tagged=tagged and press is None, look=look)
    layout_cache = LayoutCache(cache) if cache is not None else None
    laid_out = _lay_out_book(jobs, page_size_mm, layout_cache, on_progress, pool)
    refused = [href for part in (*laid_out.issues, laid_out.front) for href in part.refused]
    if refused:
        log.warning("the PDF refused %d outside resource(s), e.g. %s", len(refused), refused[0])
    placed: dict[str, float] = {}
    for part in laid_out.issues:
        for href, width in part.image_widths.items():
            placed[href] = max(placed.get(href, 0.0), width)
    warnings = tuple(low_resolution_images(placed, book, book.images)) if press is not None else ()
    ranges = split if split is not None else volume_split(laid_out, max_pages)
    if len(ranges) == 1:
        data = _merged(_page_plan(laid_out), laid_out, jobs, press, cache, pool, merge_in_background)
        print_pages = _print_pages(book, laid_out)
        return [
            RenderedPdf(
                data,
                warnings,
                laid_out.pages,
                print_pages,
                issues=ranges[0],
                printed_instead_of_codes=printed_instead_of_codes,
            )
        ]
    volumes = []
    for number, (name, issues) in enumerate(zip(volume_names(len(ranges)), ranges, strict=True), start=1):
        volume_jobs, volume = _volume(laid_out, jobs, issues, name, layout_cache, pool)
        data = _merged(_page_plan(volume), volume, volume_jobs, press, cache, pool, merge_in_background)
        print_pages = _print_pages(volume_jobs.book, volume, name, number)
        volumes.append(
            RenderedPdf(
                data,
                warnings,
                volume.pages,
                print_pages,
                volume=name,
                issues=issues,
                printed_instead_of_codes=printed_instead_of_codes,
            )
        )
    return volumes


MERGED_KIND = "merged-pdf"
"""The last merged book of each (book, volume, press) slot: a build with nothing changed skips the merge."""


def _merged(
    plan: PagePlan,
    laid_out: _LaidOutBook,
    jobs: _PartJobs,
    press: PrintSettings | None,
    cache: Cache | None,
    pool: LayoutPool | None,
    in_background: bool,
) -> bytes | Future[bytes]:
    """The book merged by its plan: in a worker (a future) when the caller has other work meanwhile; from the
    cache when the parts, the plan and the merge's code are what they were at the last build. One entry per
    book and volume, replaced at each change: a day of edits does not fill the cache with whole books. In a
    resident build (`--watch`) the pool's merger keeps the book open and puts changed parts in place
    (merge_in_place.py); what it updated in place is the same book in other bytes, and is not cached, so
    that a plain build gives the same file whatever was built before it."""
    from publish.writers.pdf.merge import merge_parts
    from publish.writers.pdf.merge_in_place import merge_kept

    options = {"press": press is not None, "font_programs": _font_programs(laid_out, jobs, cache)}
    first = jobs.book.chapters[0].issue.number if jobs.book.chapters else 0
    slot = entry_key(jobs.book.meta.slug, str(first), repr(options["press"]))
    inputs = ""
    if cache is not None:
        fonts = [tag.encode() + data for tag, data in sorted(options["font_programs"].items())]
        plan_shape = repr((plan.pages, plan.contents_numbers))
        parts = (plan.front, *plan.bodies, plan.folio_template)
        inputs = entry_key(code_digest("publish.writers.pdf.merge"), plan_shape, *parts, *fonts)
        found = cache.get(MERGED_KIND, slot)
        if found is not None and found[: len(inputs)] == inputs.encode():
            return found[len(inputs) :]

    def kept(data: bytes) -> bytes:
        if cache is not None:
            cache.put(MERGED_KIND, slot, inputs.encode() + data)
        return data

    if pool is not None and pool.merger is not None:
        merging = pool.merger.submit(merge_kept, slot, plan, **options)

        def kept_if_from_scratch(done: Future[tuple[bytes, bool]]) -> bytes:
            data, from_scratch = done.result()
            return kept(data) if from_scratch else data

        result: Future[bytes] = Future()
        merging.add_done_callback(lambda done: _settle(result, done, kept_if_from_scratch))
        return result if in_background else result.result()
    if in_background and pool is not None and pool.executor is not None:
        future = pool.executor.submit(merge_parts, plan, **options)

        def keep_when_done(done: Future[bytes]) -> None:
            if not done.cancelled() and done.exception() is None:
                kept(done.result())

        future.add_done_callback(keep_when_done)
        return future
    return kept(merge_parts(plan, **options))


def _settle(result: Future, done: Future, value: Callable[[Future], object]) -> None:
    """`result` given what `value` makes of the finished `done`, or its exception."""
    try:
        result.set_result(value(done))
    except BaseException as exc:  # the merge's own error, for whoever waits on the result
        result.set_exception(exc)


def low_resolution_images(placed: Mapping[str, float], book: Book, images: Mapping[str, bytes]) -> list[Diagnostic]:
    """A warning for each image printed at less than 300 dpi at its placed width (CSS px), with file and line."""
    from PIL import Image

    sources = {
        href: (chapter.issue.path, chapter.image_lines.get(href))
        for chapter in book.chapters
        for href in chapter.images
    }
    problems = []
    for href, width_px in sorted(placed.items()):
        pixels = Image.open(io.BytesIO(images[href])).width
        dpi = pixels / (width_px / 96)
        if dpi < PRESS_MIN_DPI:
            path, line = sources[href]
            needed = math.ceil(PRESS_MIN_DPI * width_px / 96)
            problems.append(
                Diagnostic(
                    path,
                    line,
                    "image",
                    f"{pixels} px wide, printed {width_px * 25.4 / 96:.0f} mm wide: "
                    f"{dpi:.0f} dpi, under {PRESS_MIN_DPI}",
                    f"use a picture at least {needed} px wide",
                    Severity.WARNING,
                )
            )
    return problems
