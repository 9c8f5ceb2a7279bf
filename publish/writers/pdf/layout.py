"""Lay out parts of the PDF with WeasyPrint, two at a time in worker processes, each part cached on disk.

WeasyPrint keeps a whole document in memory and lays it out on one core. A collected edition is made of
issues that each open on a recto page, so each issue can be laid out on its own: the parts run in
parallel, memory is bounded by the largest part, and a rebuild after an edit lays out only the parts
whose HTML, styles, images, fonts or layout code changed. merge.py joins the parts.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish.cache import Cache, code_digest
from publish.errors import PublishError
from publish.internals.process_pool import kill_workers
from publish.internals.weasy import check_version
from publish.internals.weasy.fetch import BOOK_BASE_URL, book_fetcher
from publish.internals.weasy.fonts import FontIdentity
from publish.writers.page_map import find_issue, issue_blocks
from publish.writers.pdf.press import PRESS_PROFILE

log = logging.getLogger(__name__)

WORKER_PROCESSES = 2
"""The machines we build on have two cores; more processes only add memory."""

HOLE_SHARE = 0.25
"""A page that ends more than this share of its text block short, because the picture after it did not fit,
has a hole; the picture is made smaller to fit, when it keeps at least SMALLEST_PICTURE_SHARE of its height."""
SMALLEST_PICTURE_SHARE = 0.6
PICTURE_FITTING_ROUNDS = 2
"""Each round lays the part out again with the pictures it shrank (a shrunk picture moves what follows)."""
SPREAD_SHARE = 0.2
"""A page of an issue that still ends more than this share of its text block short, after the floats and the
shrinking (a heading and an item's title kept with their text, a picture that did not fit), is spread to the
foot (internals/weasy/spread.py): more than the few lines a page
ends short by where widows, orphans or a heading kept with its text push them over."""
FLOAT_ROUNDS = 1
"""Rounds of page floats (floats.py) before the shrinking: each lays the part out again with the text moved
to fill the pages that figures left short (a second round gained nothing on a year of pictures, at a tenth
more layout time)."""


@dataclass(frozen=True)
class LayoutJob:
    """One part of the PDF laid out on its own: the front matter, one issue, or the folio template."""

    label: str
    html: str
    stylesheets: tuple[str, ...]
    resources: Mapping[str, bytes] = field(default_factory=dict)
    """Bytes the part may load (images, the CMYK profile), by their path under the book's base URL."""
    press: bool = False
    """PDF/X-4, for the print shop."""
    fingerprint: str = ""
    """What else the layout depends on (fonts, versions): part of the cache key."""
    page_blocks: bool = False
    """Record which block of the issue each page begins with (writers/page_map.py)."""
    number_slots: bool = False
    """Record where the contents' page-number slots are (`.toc-page` elements), for the merge to fill in."""
    tagged: bool = False
    """A tagged PDF (structure tree, reading order, /Alt): the reading PDF's front matter and issues, which the
    merge joins into one tree (merge.py). The folio template stays untagged: it is drawn as artifacts."""
    first: bool = False
    """Lay out before the others, whatever its length (the folio template: short HTML, many pages)."""
    project_fonts: tuple[tuple[str, str], ...] = ()
    """(URL, path) of the font files of the project's fonts/ that the stylesheets' @font-face rules name."""
    shared_fonts: frozenset[FontIdentity] = frozenset()
    """Fonts the merge embeds once for the whole book: the part records the glyphs it uses of them and
    embeds a placeholder instead of subsetting them (the costly step of writing a part)."""

    @property
    def key(self) -> str:
        digest = hashlib.sha256()
        settings = repr((self.press, self.tagged, self.page_blocks, self.number_slots, sorted(self.shared_fonts)))
        for text in (self.fingerprint, self.html, *self.stylesheets, settings):
            digest.update(hashlib.sha256(text.encode("utf-8")).digest())
        for name in sorted(self.resources):
            digest.update(name.encode("utf-8"))
            digest.update(hashlib.sha256(self.resources[name]).digest())
        return digest.hexdigest()


@dataclass(frozen=True)
class LaidOutPart:
    pdf: bytes
    pages: int
    blank: tuple[bool, ...]
    """Which pages are blank (no folio is printed on them)."""
    image_widths: dict[str, float]
    """The widest each image was placed, in CSS px, by its href: for the press's resolution check."""
    shared_fonts: dict[str, tuple[FontIdentity, list[int]]] = field(default_factory=dict)
    """By the subset tag of the font's name in the PDF: which shared font it is and the glyphs used."""
    page_blocks: tuple[int | None, ...] = ()
    """For each page, the first block of the issue that begins on it, if any (when the job asked)."""
    refused: tuple[str, ...] = ()
    """Outside resources the part asked for and did not get."""
    number_slots: tuple[NumberSlot, ...] = ()
    """Where the part's page-number slots are (when the job asked)."""


@dataclass(frozen=True)
class NumberSlot:
    """A hidden placeholder for a page number, as laid out: the merge draws the number right-aligned on it."""

    page: int
    """Index of the page in the part."""
    right: float
    baseline: float
    """Where the placeholder's text ends and sits, in CSS px from the page's top left corner."""
    target: str
    """The anchor of the issue whose first page the number is."""


def layout_fingerprint(font_files: Iterable[Path]) -> str:
    """The layout code, its libraries and the font files a laid-out part depends on, beyond its own HTML and CSS."""
    digest = hashlib.sha256(code_digest(__name__).encode())
    for path in sorted(set(font_files)):
        status = path.stat()
        digest.update(f"{path}|{status.st_size}|{status.st_mtime_ns}".encode())
    return digest.hexdigest()


_parsed_styles: dict[tuple[tuple[str, ...], bytes], tuple[list, dict]] = {}
"""The stylesheets of the last part this process laid out, parsed: parts of one book share them."""


def lay_out(job: LayoutJob) -> LaidOutPart:
    """Render one part to PDF bytes. Runs in a worker process, or in the main one for a single part."""
    from publish.internals.weasy import load_weasyprint

    load_weasyprint()
    from weasyprint import CSS, HTML

    from publish.internals.weasy import patched
    from publish.internals.weasy.boxes import is_blank, placed_widths
    from publish.internals.weasy.fonts import font_configuration
    from publish.internals.weasy.spread import spread_short_pages
    from publish.writers.pdf.floats import mark_pictures
    from publish.writers.pdf.merge import with_margin_boxes_as_artifacts

    font_config = font_configuration()
    fetcher = book_fetcher(dict(job.resources), dict(job.project_fonts))
    variant = {"pdf_variant": "pdf/x-4"} if job.press else {}
    with patched(document_seed=job.key, shared_fonts=job.shared_fonts) as shared:
        key = (job.stylesheets, job.resources.get(PRESS_PROFILE, b""))
        if key not in _parsed_styles:  # parsing and compiling the selectors costs a tenth of a small part
            _parsed_styles.clear()
            profiles: dict = {}
            _parsed_styles[key] = (
                [
                    CSS(
                        string=text,
                        url_fetcher=fetcher,
                        base_url=BOOK_BASE_URL,
                        color_profiles=profiles,
                        font_config=font_config,
                    )
                    for text in job.stylesheets
                ],
                profiles,
            )
        stylesheets, profiles = _parsed_styles[key]
        html = HTML(string=job.html, base_url=BOOK_BASE_URL, url_fetcher=fetcher)
        issue = find_issue(html.etree_element) if job.page_blocks else None
        pictures = mark_pictures(issue, issue.get("id") or "issue") if issue is not None else 0

        def render() -> Any:
            return html.render(stylesheets=stylesheets, color_profiles=profiles, font_config=font_config, **variant)

        document = render()
        rounds = PICTURE_FITTING_ROUNDS
        if pictures:
            document, shrank = _with_floats(html.etree_element, issue, document, render)
            rounds -= shrank
        for _ in range(rounds):
            shrinks = _shrinks(document.pages)
            if not shrinks:
                break
            _shrink(shrinks)
            document = render()
        if job.page_blocks:  # an issue: its pages that still end short are spread to the foot
            spread_short_pages(document.pages, SPREAD_SHARE)
        starts = _page_blocks(html.etree_element, document.pages) if job.page_blocks else ()
        slots = _number_slots(document.pages) if job.number_slots else ()
        # The reading PDF is tagged (structure tree, reading order, /Alt) and says it is PDF/UA-1, as
        # WeasyPrint's variant writes it: the merge joins the parts' trees and keeps the front's metadata.
        tags = {"pdf_variant": "pdf/ua-1"} if job.tagged else {}
        data = document.write_pdf(pdf_identifier=b"0" * 32, **variant, **tags)
        if job.tagged and job.number_slots:  # the front matter: its roman folios are margin boxes
            data = with_margin_boxes_as_artifacts(data)
    return LaidOutPart(
        pdf=data,
        pages=len(document.pages),
        blank=tuple(is_blank(page) for page in document.pages),
        image_widths=placed_widths(document.pages, job.resources),
        shared_fonts=shared,
        page_blocks=starts,
        refused=tuple(fetcher.refused),
        number_slots=slots,
    )


def _holes(pages: list) -> int:
    """Pages of a part, its last one aside, that end more than HOLE_SHARE of their text block short."""
    from publish.internals.weasy.boxes import page_rooms

    return sum(1 for room in page_rooms(pages)[:-1] if room is not None and room[0] > HOLE_SHARE * room[1])


def _shrinks(pages: list) -> dict[Any, tuple[float, float]]:
    """The pictures to draw smaller so that each fits the page its figure left short (boxes.figures_after_holes):
    by element, the height to draw it at and its height as drawn now."""
    from publish.internals.weasy.boxes import figures_after_holes, replaced_boxes

    heights = {id(box.element): box.height for page in pages for box in replaced_boxes(page)}
    smallest: dict[Any, tuple[float, float]] = {}
    for element, height in figures_after_holes(pages, HOLE_SHARE, SMALLEST_PICTURE_SHARE):
        if id(element) in heights:  # a picture that gives height and needs it too takes the least
            smallest[element] = (min(height, smallest.get(element, (height, 0.0))[0]), heights[id(element)])
    return smallest


def _shrink(shrinks: dict[Any, tuple[float, float]]) -> None:
    """Draw the pictures at those heights in the next layout (recording the height they had first)."""
    for element, (height, drawn) in shrinks.items():
        if not element.get("data-natural-height"):
            element.set("data-natural-height", f"{drawn:.1f}")
        element.set("style", f"max-height: {height:.1f}px")


def _with_floats(root: Any, issue: Any, document: Any, render: Callable[[], Any]) -> tuple[Any, bool]:
    """The issue laid out with page floats (floats.py): text moved to fill the pages its figures left short,
    and in the same layout the first round of shrinking, for the figures whose page no text can fill; and
    whether a layout was spent on that round (it counts as one even when it is not kept: at most
    1 + PICTURE_FITTING_ROUNDS layouts a part). The moves are made on a copy of the issue's markup, laid out
    in its place; a copy that leaves more holes or pages than before is put back for the markup as it was,
    whose layout is still at hand."""
    import copy
    from dataclasses import replace

    from publish.internals.weasy.boxes import element_extents, page_openings, page_rooms
    from publish.writers.pdf.floats import apply_moves, plan_moves

    shrank = False
    for _ in range(FLOAT_ROUNDS):
        pages = document.pages
        extents = element_extents(pages)
        moves = plan_moves(issue, len(pages), page_rooms(pages), page_openings(pages), extents, HOLE_SHARE)
        moving = {id(e) for move in moves for e in move.figure.iter()}
        shrinks = {e: size for e, size in _shrinks(pages).items() if id(e) not in moving}
        if not moves:
            if shrinks:
                _shrink(shrinks)
                document, shrank = render(), True
            break
        trial_issue = copy.deepcopy(issue)
        twin = {id(original): copied for original, copied in zip(issue.iter(), trial_issue.iter(), strict=True)}
        moves = [
            replace(
                move,
                figure=twin[id(move.figure)],
                group_start=twin[id(move.group_start)],
                blocks=tuple(twin[id(block)] for block in move.blocks),
                split=(twin[id(move.split[0])], move.split[1]) if move.split else None,
            )
            for move in moves
        ]
        extents = {id(twin[key]): extent for key, extent in extents.items() if key in twin}
        if not apply_moves(trial_issue, moves, extents):
            break
        _shrink({twin[id(element)]: size for element, size in shrinks.items() if id(element) in twin})
        parent = next(parent for parent in root.iter() if issue in list(parent))
        position = list(parent).index(issue)
        parent[position] = trial_issue
        trial = render()
        shrank = True  # a layout spent: the rounds of shrinking are one fewer, whether it is kept or not
        if len(trial.pages) > len(pages) or _holes(trial.pages) >= _holes(pages):
            parent[position] = issue  # the layout at hand is this markup's
            break
        issue, document = trial_issue, trial
    return document, shrank


def _number_slots(pages: list) -> tuple[NumberSlot, ...]:
    """The text of each `.toc-page` element (not its leader), where it was laid out."""
    from publish.internals.weasy.boxes import text_ends

    found = [
        NumberSlot(index, right, baseline, element.get("data-for"))
        for index, right, baseline, element in text_ends(pages, "toc-page")
    ]
    return tuple(sorted(found, key=lambda slot: (slot.page, slot.baseline)))


def _page_blocks(root: object, pages: list) -> tuple[int | None, ...]:
    """For each laid-out page, the lowest-numbered block that first appears on it."""
    from publish.internals.weasy.boxes import elements_on_pages

    issue = find_issue(root)
    if issue is None:
        return tuple(None for _ in pages)
    numbers = {id(element): number for number, element in enumerate(issue_blocks(issue))}
    seen: set[int] = set()
    starts: list[int | None] = []
    for shown in elements_on_pages(pages):
        found = {numbers[element] for element in shown if element in numbers}
        new = found - seen
        starts.append(min(new) if new else None)
        seen |= found
    return tuple(starts)


class LayoutCache:
    """Laid-out parts in the build's cache, by job key: one entry each, the part's facts as JSON then its PDF."""

    KIND = "layout"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def get(self, key: str) -> LaidOutPart | None:
        entry = self.cache.get(self.KIND, key)
        if entry is None or len(entry) < 8:
            return None
        size = int.from_bytes(entry[:8], "big")
        try:
            meta = json.loads(entry[8 : 8 + size])
            if len(meta["blank"]) != meta["pages"]:
                return None
            return LaidOutPart(
                pdf=entry[8 + size :],
                pages=int(meta["pages"]),
                blank=tuple(bool(b) for b in meta["blank"]),
                image_widths={str(k): float(v) for k, v in meta["image_widths"].items()},
                shared_fonts={
                    str(tag): ((int(i[0]), int(i[1]), str(i[2])), [int(g) for g in gids])
                    for tag, (i, gids) in meta["shared_fonts"].items()
                },
                page_blocks=tuple(None if b is None else int(b) for b in meta["page_blocks"]),
                number_slots=tuple(
                    NumberSlot(int(page), float(right), float(baseline), str(target))
                    for page, right, baseline, target in meta["number_slots"]
                ),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, part: LaidOutPart) -> None:
        meta = {
            "pages": part.pages,
            "blank": list(part.blank),
            "image_widths": part.image_widths,
            "shared_fonts": part.shared_fonts,
            "page_blocks": list(part.page_blocks),
            "number_slots": [[s.page, s.right, s.baseline, s.target] for s in part.number_slots],
        }
        encoded = json.dumps(meta).encode("utf-8")
        self.cache.put(self.KIND, key, len(encoded).to_bytes(8, "big") + encoded + part.pdf)


class LayoutWorkerDied(PublishError):
    """A worker process ended without a result: the system killed it (memory), or somebody did."""


def _worker_start(parent: int) -> None:
    """Workers leave signals to the main process, which stops them when the build is interrupted; and they die
    with it when it is killed outright (kill -9 gives it no chance to stop them): the kernel sends them
    SIGKILL when their parent goes (Linux's PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the parent went before the request was made
        os._exit(1)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


ProgressCallback = Callable[[str, int, int], None]
"""Called with a part's label, how many parts are done and how many there are, as each part is laid out
or found in the cache."""


_WARM_UP = LayoutJob(
    label="warm-up",
    html='<p lang="zh">中文 <b>粗体</b> <span style="font-family: TeX Gyre Termes">Latin</span></p>',
    stylesheets=(),
)


def _warm_up() -> None:
    """Load WeasyPrint, our patches and the faces into a worker before its first part arrives."""
    lay_out(_WARM_UP)
    gc.freeze()  # WeasyPrint's modules and the loaded faces live as long as the worker: never scan them


def _lay_out_in_worker(job: LayoutJob) -> LaidOutPart:
    """A part, and then its garbage collected at once (the collector runs seldom: see publish.cli.GC_THRESHOLDS)."""
    try:
        return lay_out(job)
    finally:
        gc.collect()


class LayoutPool:
    """Worker processes that lay out parts. Started before the issues are read, so that the workers load
    WeasyPrint and the fonts while the main process still parses and typesets; closed (or, when the build
    is interrupted, killed) by the build. With one core there are no workers: parts are laid out inline."""

    def __init__(self, processes: int = WORKER_PROCESSES, *, keep_merged: bool = False) -> None:
        check_version()  # before any worker starts: an unsupported WeasyPrint is a message, not a traceback
        self.workers = min(processes, os.cpu_count() or 1)
        self.executor: ProcessPoolExecutor | None = None
        self.merger: ProcessPoolExecutor | None = None
        """With `keep_merged`, the one process that merges the book and keeps it open for the next build
        (merge_in_place.py): the layout workers take parts in any order, this one always gets the merge."""
        if self.workers > 1:
            self.executor = self._processes(self.workers)
            for _ in range(self.workers):
                self.executor.submit(_warm_up)
        if keep_merged:
            self.merger = self._processes(1)

    @staticmethod
    def _processes(count: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )

    def __enter__(self) -> LayoutPool:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        for executor in (self.executor, self.merger):
            if executor is None:
                continue
            if error is not None:  # interrupted or failed: do not wait for parts nobody will use
                kill_workers(executor)
            else:
                executor.shutdown()


def lay_out_all(
    jobs: list[LayoutJob],
    cache: LayoutCache | None,
    on_progress: ProgressCallback | None = None,
    pool: LayoutPool | None = None,
) -> list[LaidOutPart]:
    """Every part, in the order given: from the cache where it holds the part, else laid out by the
    pool's workers (or in this process, without a pool or with one core)."""
    results: list[LaidOutPart | None] = [None] * len(jobs)
    keys = [job.key if cache is not None else "" for job in jobs]
    missing: list[int] = []
    for index, job in enumerate(jobs):
        found = cache.get(keys[index]) if cache is not None else None
        if found is None:
            missing.append(index)
            continue
        results[index] = found
        if on_progress:
            on_progress(job.label, sum(r is not None for r in results), len(jobs))

    def done(index: int, part: LaidOutPart) -> None:
        results[index] = part
        if cache is not None:
            cache.put(keys[index], part)
        if on_progress:
            on_progress(jobs[index].label, sum(r is not None for r in results), len(jobs))

    executor = pool.executor if pool is not None else None
    if executor is None:
        for index in missing:
            done(index, lay_out(jobs[index]))
    else:
        running: dict[Future, int] = {}
        # the longest first, so that no worker is left idle at the end with the other on a long part
        queue = sorted(missing, key=lambda index: (not jobs[index].first, -len(jobs[index].html)))
        try:
            while queue or running:
                while queue and len(running) < pool.workers * 2:  # type: ignore[union-attr]
                    running[executor.submit(_lay_out_in_worker, jobs[queue[0]])] = queue[0]
                    queue.pop(0)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = running.pop(future)
                    done(index, future.result())
        except BrokenProcessPool:
            parts = ", ".join(jobs[index].label for index in sorted(running.values())[:3])
            raise LayoutWorkerDied(
                f"a layout process died (killed, or out of memory) while {parts or 'the parts'} were laid out; "
                "nothing was written — build again, and if it happens again, with fewer issues (--range) to "
                "find the one that needs the memory"
            ) from None
    return [part for part in results if part is not None]
