"""Measure the typography of a finished PDF from its glyph positions, so claims about it are numbers."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from publish.cjk import HAN_CHAR
from publish.errors import Diagnostic, Severity
from publish.typography.page_breaks import NUMBERED_ITEM
from publish.typography.slots import OPENING

CLOSING = set("，。、；：？！）」』》〉】〕”’．，")
"""Marks that must never begin a line."""
FULL_WIDTH_PUNCTUATION = set("，。、；：？！（）「」『』《》〈〉【】〔〕“”‘’")
_FLUSH_TOLERANCE = 0.5
_PUNCT_PAIR_LIMIT = 1.6
_LOOSE = 0.1
_VERY_LOOSE = 0.25
_HOLE = 0.25
"""A page (not an issue's last) whose text and pictures stop this far above the foot, as a share of the text
block's height, has a hole."""
_SEGMENT_GAP_EM = 1.5
"""Glyphs on one baseline further apart than this are in different blocks (table cells, a leader's number)."""


def _is_han(char: str) -> bool:
    return HAN_CHAR.fullmatch(char) is not None


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    size: float
    font: str
    after_space: bool = False
    """PDFium put a space of its own before this glyph: where a space is shown on its own (a word space in
    another face than the words around it, as the PDF's Latin by font fallback gives), PDFium leaves the
    space glyph out of the text and infers one from the gap."""


@dataclass
class Line:
    page: int
    baseline: float
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def visible(self) -> list[Glyph]:
        return [g for g in self.glyphs if g.text.strip()]

    @property
    def x0(self) -> float:
        return self.visible[0].x0

    @property
    def x1(self) -> float:
        return self.visible[-1].x1

    @property
    def size(self) -> float:
        return statistics.median(g.size for g in self.glyphs)

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)


def finding(check: str, page: int, text: str) -> Diagnostic:
    """One place that misses a target: a note naming the check, on its page, with the text there as its
    message; the PDF's path is filled in by `typo_report`."""
    return Diagnostic(Path(), None, "", text, severity=Severity.NOTE, page=page, rule=check)


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    target: str
    met: bool


@dataclass(frozen=True)
class TypoReport:
    lines: int
    body_lines: int
    closing_at_line_start: int
    full_lines: int
    flush_right_percent: float
    cjk_latin_gap_em: float | None
    cjk_latin_pairs: int
    punctuation_pairs: int
    punctuation_pairs_compressed_percent: float | None
    single_character_last_lines: int
    quote_width_em: float | None
    quotes: int
    loose_lines_over_tenth: int = 0
    loose_lines_over_quarter: int = 0
    loosest_line_em: float = 0.0
    holes: int = 0
    text_pages: int = 0
    code_lines_past_text_block: int = 0
    code_glyphs_off_cell: int = 0
    code_glyphs: int = 0
    numbers_with_gaps: int = 0
    issue_bookmarks: int = 0
    issue_bookmarks_without_number: int = 0
    running_heads: int = 0
    running_heads_without_number: int = 0
    contents_entries_split: int = 0
    opening_at_line_end: int = 0
    """Opening brackets and quotes that end a line (clreq §3.1.4: they may not)."""
    split_pairs: int = 0
    """—— and …… split across two lines (clreq §3.1.5.1)."""
    headings_at_page_foot: int = 0
    """Headings set as the last line of a page, their text overleaf (clreq §4.1.3)."""
    widows: int = 0
    """A paragraph's last line alone at the top of a page (clreq §3.4.4)."""
    pictures_placed: int = 0
    """Pictures the layout named (writers/pdf/floats.py): every picture block of every issue."""
    pictures_moved: int = 0
    farthest_move_pages: int = 0
    pictures_out_of_order: int = 0
    pictures_parted: int = 0
    """Headings and lead-ins on another page than the picture they introduce."""
    findings: tuple[Diagnostic, ...] = ()

    @property
    def loose_percent(self) -> float:
        return 100.0 * self.loose_lines_over_tenth / self.full_lines if self.full_lines else 0.0

    def rows(self) -> list[Row]:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1f} %"

        def em(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.3f} em"

        return [
            Row(
                "lines starting with closing punctuation",
                str(self.closing_at_line_start),
                "0",
                self.closing_at_line_start == 0,
            ),
            Row(
                f"full body lines flush right (±{_FLUSH_TOLERANCE} pt), of {self.full_lines}",
                pct(self.flush_right_percent),
                "≥ 99 %",
                self.flush_right_percent >= 99.0 or not self.full_lines,
            ),
            Row(
                f"median CJK–Latin gap, of {self.cjk_latin_pairs} pairs",
                em(self.cjk_latin_gap_em),
                "≥ 0.2 em",
                self.cjk_latin_gap_em is None or self.cjk_latin_gap_em >= 0.2,
            ),
            Row(
                f"adjacent punctuation pairs within {_PUNCT_PAIR_LIMIT} em, of {self.punctuation_pairs}",
                pct(self.punctuation_pairs_compressed_percent),
                "≥ 95 %",
                self.punctuation_pairs_compressed_percent is None or self.punctuation_pairs_compressed_percent >= 95.0,
            ),
            Row(
                "single-character last lines (any block)",
                str(self.single_character_last_lines),
                "0",
                self.single_character_last_lines == 0,
            ),
            Row(
                "opening brackets and quotes at a line's end",
                str(self.opening_at_line_end),
                "0",
                self.opening_at_line_end == 0,
            ),
            Row("—— or …… split across lines", str(self.split_pairs), "0", self.split_pairs == 0),
            Row(
                "headings as the last line of a page",
                str(self.headings_at_page_foot),
                "0",
                self.headings_at_page_foot == 0,
            ),
            Row("a paragraph's last line alone at a page's top", str(self.widows), "0", self.widows == 0),
            Row(
                f"median width of “” between Chinese, of {self.quotes}",
                em(self.quote_width_em),
                "≥ 0.9 em",
                self.quote_width_em is None or self.quote_width_em >= 0.9,
            ),
            Row(
                f"justified lines with hanzi > {_LOOSE} em apart",
                pct(self.loose_percent),
                "≤ 1 %",
                self.loose_percent <= 1.0,
            ),
            Row(
                f"justified lines with hanzi > {_VERY_LOOSE} em apart (loosest {self.loosest_line_em:.2f} em)",
                str(self.loose_lines_over_quarter),
                "0",
                self.loose_lines_over_quarter == 0,
            ),
            Row(
                f"pages ending > {_HOLE:.0%} short of the foot, of {self.text_pages}",
                str(self.holes),
                "0",
                self.holes == 0,
            ),
            Row(
                "code lines past the text block",
                str(self.code_lines_past_text_block),
                "0",
                self.code_lines_past_text_block == 0,
            ),
            Row(
                f"code glyphs off their cells, of {self.code_glyphs}",
                str(self.code_glyphs_off_cell),
                "0",
                self.code_glyphs_off_cell == 0,
            ),
            Row(
                "numbers with a gap between their digits", str(self.numbers_with_gaps), "0", self.numbers_with_gaps == 0
            ),
            Row(
                f"issue bookmarks without 第 N 期, of {self.issue_bookmarks}",
                str(self.issue_bookmarks_without_number),
                "0",
                self.issue_bookmarks_without_number == 0,
            ),
            Row(
                f"running heads without 第 N 期, of {self.running_heads}",
                str(self.running_heads_without_number),
                "0",
                self.running_heads_without_number == 0,
            ),
            Row(
                "contents entries split across pages",
                str(self.contents_entries_split),
                "0",
                self.contents_entries_split == 0,
            ),
            Row(
                f"pictures moved to the next page, of {self.pictures_placed}",
                str(self.pictures_moved),
                "any",
                True,
            ),
            Row(
                "farthest a picture moved from its text (pages)",
                str(self.farthest_move_pages),
                "≤ 1",
                self.farthest_move_pages <= 1,
            ),
            Row("pictures out of order", str(self.pictures_out_of_order), "0", self.pictures_out_of_order == 0),
            Row(
                "headings and lead-ins parted from their picture",
                str(self.pictures_parted),
                "0",
                self.pictures_parted == 0,
            ),
        ]

    @property
    def met(self) -> bool:
        return all(row.met for row in self.rows())


@dataclass(frozen=True)
class Bookmark:
    level: int
    title: str
    page: int


@dataclass
class PdfLayout:
    """What the measurements read from a PDF: its text lines, where its pictures are, its outline."""

    lines: list[Line]
    pictures: dict[int, list[tuple[float, float]]]
    """Per page, each picture's top and bottom, in the lines' coordinates (distance below the page's top)."""
    bookmarks: list[Bookmark]
    pages: int
    destinations: dict[str, int] = field(default_factory=dict)
    """The named destinations of the PDF (an anchor per element id), by name: their pages."""


def read_lines(pdf_path: Path) -> list[Line]:
    return read_layout(pdf_path).lines


def read_layout(pdf_path: Path) -> PdfLayout:
    """Every text line of the PDF, glyphs grouped by baseline (box tops differ between fonts), the pictures'
    extents and the outline.

    Read with PDFium: pdfminer (pdfplumber) misses the text of WeasyPrint's CID fonts whose encoding
    is `Custom`, which is what the body face gets in a large book."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    lines: list[Line] = []
    pictures: dict[int, list[tuple[float, float]]] = {}
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        for number in range(len(document)):
            page = document[number]
            height = page.get_height()
            textpage = page.get_textpage()
            origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
            matrix = raw.FS_MATRIX()
            font_name = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            glyphs: list[tuple[float, Glyph]] = []
            after_space = False
            for index in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage, index) == 1:
                    # A space or line end PDFium inferred, not a glyph of the PDF; noted for the next glyph.
                    after_space = textpage.get_text_range(index, 1) == " "
                    continue
                text = textpage.get_text_range(index, 1)
                if not text or text in "\r\n":
                    continue
                left, _, right, _ = textpage.get_charbox(index, loose=True)
                raw.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
                raw.FPDFText_GetMatrix(textpage, index, matrix)
                raw.FPDFText_GetFontInfo(textpage, index, font_name, len(font_name), flags)
                size = raw.FPDFText_GetFontSize(textpage, index) * abs(matrix.a or matrix.d or 1)
                glyph = Glyph(text, left, right, round(size, 2), font_name.value.decode("latin-1"), after_space)
                after_space = False
                glyphs.append((round(origin_y.value, 1), glyph))
            textpage.close()
            boxes = []
            for picture in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]):
                _, bottom, _, top = picture.get_bounds()
                boxes.append((height - top, height - bottom))
            if boxes:
                pictures[number + 1] = boxes
            page.close()
            lines.extend(_group_lines(number + 1, glyphs, height))
        bookmarks = [
            Bookmark(item.level, item.get_title(), item.get_dest().get_index() + 1)
            for item in document.get_toc()
            if item.get_dest() is not None and item.get_dest().get_index() is not None
        ]
        pages = len(document)
    finally:
        document.close()
    return PdfLayout(lines, pictures, bookmarks, pages, _destinations(pdf_path))


def _destinations(pdf_path: Path) -> dict[str, int]:
    """The PDF's named destinations and the pages (1-based) they point at."""
    import pikepdf

    found: dict[str, int] = {}
    with pikepdf.open(pdf_path) as pdf:
        pages = {page.objgen: index + 1 for index, page in enumerate(pdf.pages)}
        tree = pdf.Root.get("/Names", pikepdf.Dictionary()).get("/Dests")
        stack = [tree] if tree is not None else []
        while stack:
            node = stack.pop()
            names = node.get("/Names")
            if names is not None:
                for index in range(0, len(names) - 1, 2):
                    target = names[index + 1]
                    if isinstance(target, pikepdf.Array) and len(target) and target[0].objgen in pages:
                        found[str(names[index])] = pages[target[0].objgen]
            stack.extend(node.get("/Kids", []))
    return found


_FIGURE = re.compile(r"^(?P<issue>.+)-fig-(?P<number>\d+)$")


def _floats(layout: PdfLayout, findings: list[Diagnostic]) -> tuple[int, int, int, int, int]:
    """From the anchors the layout leaves (writers/pdf/floats.py): pictures named, moved, the farthest move,
    pictures on an earlier page than the one before them, headings and lead-ins parted from their picture."""
    names = layout.destinations
    figures: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name in names:
        match = _FIGURE.match(name)
        if match:
            figures[match["issue"]].append((int(match["number"]), name))
    moved = farthest = out_of_order = parted = placed = 0
    for pictures in figures.values():
        pictures.sort()
        placed += len(pictures)
        for (_, earlier), (_, later) in itertools.pairwise(pictures):
            if names[later] < names[earlier]:
                out_of_order += 1
                findings.append(finding("picture out of order", names[later], later))
        for _, name in pictures:
            page = names[name]
            if f"{name}-origin" in names:
                moved += 1
                farthest = max(farthest, page - names[f"{name}-origin"])
            for kind in ("lead", "heading"):
                other = names.get(f"{name}-{kind}")
                if other is not None and other != page:
                    parted += 1
                    findings.append(
                        finding(f"{'lead-in' if kind == 'lead' else 'heading'} parted from its picture", other, name)
                    )
    return placed, moved, farthest, out_of_order, parted


def _group_lines(page: int, glyphs: list[tuple[float, Glyph]], height: float = 0.0) -> list[Line]:
    """Full-size glyphs define the lines; superscripts join the line whose baseline is just below."""
    if not glyphs:
        return []
    largest = max(glyph.size for _, glyph in glyphs)
    by_baseline: dict[float, list[Glyph]] = defaultdict(list)
    for baseline, glyph in sorted(glyphs, key=lambda item: -item[1].size):
        if glyph.size >= 0.75 * largest or not by_baseline:
            key = next((b for b in by_baseline if abs(b - baseline) < 1.0), baseline)
        else:
            above = [b for b in by_baseline if 0 <= baseline - b < 0.6 * largest]
            key = min(above, key=lambda b: baseline - b) if above else baseline
        by_baseline[key].append(glyph)
    # PDF y grows upwards: the first line of the page has the largest baseline.
    return [
        Line(page, height - baseline, sorted(by_baseline[baseline], key=lambda g: g.x0))
        for baseline in sorted(by_baseline, reverse=True)
    ]


def _face(glyph: Glyph) -> tuple[float, str]:
    """Size and font, without the subset tag WeasyPrint puts before the name."""
    return round(glyph.size, 1), glyph.font.split("+", 1)[-1]


def _body_face(lines: Iterable[Line]) -> tuple[float, str]:
    """The size and font of running text: the most common among ideographs."""
    faces = Counter(_face(g) for line in lines for g in line.glyphs if _is_han(g.text))
    return faces.most_common(1)[0][0]


def _is_body(line: Line, body_face: tuple[float, str]) -> bool:
    faces = [_face(g) for g in line.glyphs if _is_han(g.text)]
    return bool(faces) and Counter(faces).most_common(1)[0][0] == body_face


def _ends_flush(line: Line, edge: float) -> bool:
    """The line's last advance ends at the edge; a compressed (`halt`) closing mark ending the line
    counts by its half-em advance: the PDF's text gives it the whole em of the font's width table, its blank
    half lying past the edge (a mark set at the left of its em, as in Simplified Chinese) or a quarter em each
    side (a centred one, as in Traditional Chinese, drawn a quarter em left of its advance)."""
    last = line.visible[-1]
    if abs(line.x1 - edge) <= _FLUSH_TOLERANCE:
        return True
    return last.text in CLOSING and any(
        abs(line.x1 - share * last.size - edge) <= _FLUSH_TOLERANCE for share in (0.5, 0.25)
    )


@dataclass(frozen=True)
class _TextBlock:
    """The body text's lines, their usual leading, and the text block's edges per page side (mirrored
    margins): the leftmost start, and the end that nine lines in ten reach (of the lines that do not end in a
    closing mark, where there are enough: a halved mark's extracted advance is a whole em)."""

    body: list[Line]
    leading: float
    left_edge: dict[int, float]
    right_edge: dict[int, float]


def _body_text(lines: list[Line]) -> _TextBlock:
    body_face = _body_face(lines)
    body = [line for line in lines if _is_body(line, body_face)]
    leading = (
        statistics.median(
            b.baseline - a.baseline for a, b in itertools.pairwise(body) if a.page == b.page and b.baseline > a.baseline
        )
        if len(body) > 1
        else body_face[0] * 1.8
    )
    left_edge = {
        side: min(line.x0 for line in body if line.page % 2 == side)
        for side in (0, 1)
        if any(line.page % 2 == side for line in body)
    }
    ends = defaultdict(list)
    for line in body:
        ends[line.page % 2].append(line.x1)
    ends_in_text = defaultdict(list)  # a closing mark's blank half may lie past the edge: see _ends_flush
    for line in body:
        if line.visible[-1].text not in CLOSING:
            ends_in_text[line.page % 2].append(line.x1)
    right_edge = {side: sorted(values)[int(len(values) * 0.9)] for side, values in ends.items()}
    for side in right_edge:
        if len(ends_in_text[side]) >= 10:
            right_edge[side] = sorted(ends_in_text[side])[int(len(ends_in_text[side]) * 0.9)]
        elif len(ends[side]) >= 10:  # nearly every line ends on a mark, some halved: where most end flush
            right_edge[side] = _edge_most_reach([line for line in body if line.page % 2 == side])
    return _TextBlock(body, leading, left_edge, right_edge)


def _edge_most_reach(lines: list[Line]) -> float:
    """The right edge at which most of these lines end flush (_ends_flush), the leftmost of equals: where
    most lines end on a closing mark, a line whose mark was halved reaches half an em further in the text's
    advances than one whose mark was not, and either may be the more frequent."""
    candidates = {round(line.x1, 1) for line in lines} | {
        round(line.x1 - 0.5 * line.visible[-1].size, 1) for line in lines if line.visible[-1].text in CLOSING
    }
    return max(sorted(candidates), key=lambda edge: sum(_ends_flush(line, edge) for line in lines))


def _justified_lines(lines: list[Line], block: _TextBlock, findings: list[Diagnostic]) -> tuple[int, int, list[float]]:
    """Full lines (a body line the paragraph goes on after), how many end flush right, and each one's spread."""
    full = flush = 0
    loose: list[float] = []
    next_line = {id(a): b for a, b in itertools.pairwise(lines)}  # a body line may go on in a line of Latin
    for line in block.body:
        following = next_line.get(id(line))
        continues = (
            following is not None
            and following.page == line.page
            and abs(following.baseline - line.baseline - block.leading) < 0.2 * block.leading
            and abs(following.x0 - block.left_edge[line.page % 2]) < 1.0
            and abs(following.size - line.size) < 0.05
        )
        if continues and _ended_by_a_break(line, following, block.right_edge[line.page % 2]):
            continue  # a hard line break (`<br>`): the line ends where the text did, not at the edge
        if continues:
            full += 1
            flush += _ends_flush(line, block.right_edge[line.page % 2])
            spread = _hanzi_spread(line)
            loose.append(spread)
            if spread > _LOOSE:
                findings.append(finding(f"loose line ({spread:.2f} em)", line.page, line.text))
    return full, flush, loose


def _ended_by_a_break(line: Line, following: Line, edge: float) -> bool:
    """Whether the line stopped short with room for what starts the next one: its first hanzi, or its first
    Latin word — the line was ended by a hard break, not by the measure."""
    room = edge - line.x1
    first = following.visible[0]
    if room < first.size:  # less than an em short: a justified line, or one that could not take more
        return False
    word = first.x1  # a hanzi alone, or a Latin word up to its space
    for glyph in [] if _is_han(first.text) else following.visible[1:]:
        if not glyph.text.isascii() or not glyph.text.strip():
            break
        word = glyph.x1
    return word - first.x0 + 0.1 * first.size <= room


def _closing_starts(lines: list[Line], findings: list[Diagnostic]) -> int:
    closing_starts = 0
    for line in lines:
        if line.visible[0].text in CLOSING:
            closing_starts += 1
            findings.append(finding("closing punctuation at a line start", line.page, line.text))
    return closing_starts


_OPENING = set(OPENING)
_FOLIO = re.compile(r"[0-9]+|[ivxlcdm]+")
_PAIRS = ("—", "…")


def _line_edges(lines: list[Line], findings: list[Diagnostic]) -> tuple[int, int]:
    """Lines that end with an opening bracket or quote, and —— or …… cut in two by a line's end."""
    opening = split = 0
    for line, following in itertools.pairwise([*lines, None]):
        last = line.visible[-1].text
        if last in _OPENING:
            opening += 1
            findings.append(finding("opening mark at a line's end", line.page, line.text))
        if following is not None and following.page == line.page and last in _PAIRS:
            ends = len(line.text.rstrip()) - len(line.text.rstrip().rstrip(last))
            if ends % 2 == 1 and following.visible[0].text == last:
                split += 1
                findings.append(
                    finding(f"{last * 2} split across lines", line.page, line.text + " / " + following.text)
                )
    return opening, split


def _page_edges(lines: list[Line], block: _TextBlock, findings: list[Diagnostic]) -> tuple[int, int]:
    """Headings that end a page (a line of the text block larger than the body text, or an item's short
    numbered title, with body text after it overleaf), and paragraphs whose last line alone opens a page (a
    short line at the left edge, under a full
    line that ended the page before)."""
    body_ids = {id(line) for line in block.body}
    if not block.body:
        return 0, 0
    top, _foot = _text_block(block.body)
    body_size = statistics.median(line.size for line in block.body)
    by_page: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        if line.baseline >= top - 0.5 * block.leading:  # below the running head
            by_page[line.page].append(line)
    for shown in by_page.values():
        lowest = max(shown, key=lambda line: line.baseline)
        if _FOLIO.fullmatch(lowest.text.strip()):
            shown.remove(lowest)
    headings = widows = 0
    for page, shown in by_page.items():
        following = by_page.get(page + 1)
        if not following or not shown:
            continue
        last, first = max(shown, key=lambda line: line.baseline), min(following, key=lambda line: line.baseline)
        heading = last.size > 1.1 * body_size and any(_is_han(g.text) for g in last.glyphs)
        title = (  # an item's title: not a sentence, and not one item of a list that goes on overleaf
            id(last) in body_ids
            and len(last.text.strip()) <= 40
            and bool(NUMBERED_ITEM.match(last.text))
            and last.text.strip()[-1] not in "。；！？;."
            and not NUMBERED_ITEM.match(first.text)
        )
        if (heading or (title and not _ends_flush(last, block.right_edge.get(page % 2, last.x1)))) and id(
            first
        ) in body_ids:
            headings += 1
            findings.append(finding("heading as a page's last line", page, last.text))
        side = (page + 1) % 2
        edge = block.right_edge.get(side)
        if (
            edge is not None
            and id(first) in body_ids
            and id(last) in body_ids
            and abs(first.baseline - top) < 0.5 * block.leading
            and abs(first.x0 - block.left_edge.get(side, first.x0)) < 1.0
            and first.x1 < edge - 2 * first.size
            and _ends_flush(last, block.right_edge.get(page % 2, last.x1))
            and last.visible[-1].text not in "。！？”」』）"
        ):
            widows += 1
            findings.append(finding("paragraph's last line alone at a page's top", page + 1, first.text))
    return headings, widows


def _spacing(body: list[Line]) -> tuple[list[float], list[float], list[float]]:
    """The CJK–Latin gaps, the spans of adjacent punctuation pairs and the widths of quotes between hanzi, in em."""
    gaps, punct_spans, quote_widths = [], [], []
    for line in body:
        glyphs = line.glyphs
        # A glyph's advance as laid out is the distance to the next glyph's origin (a `halt` glyph
        # keeps its full width in the font's width table); the last glyph's comes from that table.
        advances = [b.x0 - a.x0 for a, b in itertools.pairwise(glyphs)] + [glyphs[-1].x1 - glyphs[-1].x0]
        for i, (a, b) in enumerate(itertools.pairwise(glyphs)):
            size = a.size
            if a.text in FULL_WIDTH_PUNCTUATION and b.text in FULL_WIDTH_PUNCTUATION:
                punct_spans.append((advances[i] + min(advances[i + 1], b.x1 - b.x0)) / size)
        # The gap is what separates the two glyphs' ink boxes, a space glyph between them included (the PDF's
        # gap is a space, typography/spacing.py; it was once a margin).
        drawn = [glyph for glyph in glyphs if not glyph.text.isspace()]
        for a, b in itertools.pairwise(drawn):
            in_code = _is_mono(a) or _is_mono(b) or abs(a.size - b.size) > 0.2 * max(a.size, b.size)
            if not in_code and ((_is_han(a.text) and _is_latin(b.text)) or (_is_latin(a.text) and _is_han(b.text))):
                gaps.append((b.x0 - a.x1) / a.size)
        for i in range(1, len(glyphs) - 1):
            if glyphs[i].text in "“”" and _is_han(glyphs[i - 1].text) and _is_han(glyphs[i + 1].text):
                quote_widths.append(advances[i] / glyphs[i].size)
    return gaps, punct_spans, quote_widths


def measure(layout: PdfLayout) -> TypoReport:
    """Every figure of the report, from the glyphs of the PDF's lines, and the findings behind them."""
    lines = [line for line in layout.lines if line.visible]
    findings: list[Diagnostic] = []
    block = _body_text(lines)
    body, right_edge = block.body, block.right_edge
    full, flush, loose = _justified_lines(lines, block, findings)
    single = _single_character_last_lines(lines, findings)
    closing_starts = _closing_starts(lines, findings)
    opening_ends, split_pairs = _line_edges(lines, findings)
    headings_at_foot, widows = _page_edges(lines, block, findings)
    gaps, punct_spans, quote_widths = _spacing(body)
    code_past, code_glyphs, off_cell = _code(lines, right_edge, findings)
    numbers_with_gaps = _numbers_with_gaps(lines, findings)
    holes, text_pages = _holes(layout, lines, body, findings)
    issue_marks, marks_without = _issue_bookmarks(layout, findings)
    heads, heads_without = _running_heads(layout, lines, body, findings)
    split = _contents_split(layout, lines, findings)
    placed, moved, farthest, out_of_order, parted = _floats(layout, findings)

    return TypoReport(
        lines=len(lines),
        body_lines=len(body),
        closing_at_line_start=closing_starts,
        full_lines=full,
        flush_right_percent=100.0 * flush / full if full else 0.0,
        cjk_latin_gap_em=statistics.median(gaps) if gaps else None,
        cjk_latin_pairs=len(gaps),
        punctuation_pairs=len(punct_spans),
        punctuation_pairs_compressed_percent=(
            100.0 * sum(s <= _PUNCT_PAIR_LIMIT for s in punct_spans) / len(punct_spans) if punct_spans else None
        ),
        single_character_last_lines=single,
        quote_width_em=statistics.median(quote_widths) if quote_widths else None,
        quotes=len(quote_widths),
        loose_lines_over_tenth=sum(value > _LOOSE for value in loose),
        loose_lines_over_quarter=sum(value > _VERY_LOOSE for value in loose),
        loosest_line_em=max(loose, default=0.0),
        holes=holes,
        text_pages=text_pages,
        code_lines_past_text_block=code_past,
        code_glyphs_off_cell=off_cell,
        code_glyphs=code_glyphs,
        numbers_with_gaps=numbers_with_gaps,
        issue_bookmarks=issue_marks,
        issue_bookmarks_without_number=marks_without,
        running_heads=heads,
        running_heads_without_number=heads_without,
        contents_entries_split=split,
        opening_at_line_end=opening_ends,
        split_pairs=split_pairs,
        headings_at_page_foot=headings_at_foot,
        widows=widows,
        pictures_placed=placed,
        pictures_moved=moved,
        farthest_move_pages=farthest,
        pictures_out_of_order=out_of_order,
        pictures_parted=parted,
        findings=tuple(sorted(findings, key=lambda found: (found.rule.split(" (")[0], found.page or 0))),
    )


def _is_mono(glyph: Glyph) -> bool:
    return "Mono" in glyph.font


def _hanzi_spread(line: Line) -> float:
    """The median extra space between neighbouring hanzi of a line, in em: what justification added."""
    spaces = [
        (b.x0 - a.x1) / a.size
        for a, b in itertools.pairwise(line.glyphs)
        if _is_han(a.text) and _is_han(b.text) and abs(a.size - b.size) < 0.01 and not _is_mono(a)
    ]
    return max(0.0, statistics.median(spaces)) if spaces else 0.0


@dataclass
class _Segment:
    """The glyphs of one line of one block: a baseline's glyphs split where a wide gap separates blocks."""

    page: int
    baseline: float
    glyphs: list[Glyph]

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def size(self) -> float:
        return max(g.size for g in self.glyphs)

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)


def _segments(line: Line) -> list[_Segment]:
    segments: list[_Segment] = []
    for glyph in line.visible:
        if segments and glyph.x0 - segments[-1].x1 <= _SEGMENT_GAP_EM * glyph.size:
            segments[-1].glyphs.append(glyph)
        else:
            segments.append(_Segment(line.page, line.baseline, [glyph]))
    return segments


_TRAILING_MARKS = CLOSING | set("!?.,;:)]}'\"…—·")


def _single_character_last_lines(lines: list[Line], findings: list[Diagnostic]) -> int:
    """Lines holding one hanzi (and closing marks) under a longer line of the same block: in paragraphs,
    list items, headings, contents entries and table cells alike, whatever precedes the hanzi."""
    by_page: dict[int, list[_Segment]] = defaultdict(list)
    for line in lines:
        by_page[line.page].extend(_segments(line))
    count = 0
    for segments in by_page.values():
        for segment in segments:
            hanzi = [g for g in segment.glyphs if _is_han(g.text)]
            others = [g for g in segment.glyphs if not _is_han(g.text)]
            if len(hanzi) != 1 or any(g.text not in _TRAILING_MARKS for g in others) or _is_mono(hanzi[0]):
                continue
            size = segment.size
            above = [
                other
                for other in segments
                if 0.9 * size < segment.baseline - other.baseline < 2.6 * size
                and abs(other.size - size) < 0.1 * size
                and other.x0 - 2.5 * size <= segment.x0 <= other.x1
            ]
            if not above:
                continue
            previous = max(above, key=lambda other: other.baseline)
            if any(other.baseline == segment.baseline and segment.x1 < other.x0 < previous.x1 for other in segments):
                continue  # the line goes on to the right, spaced out: a loose line, not a last one
            centred = abs((previous.x0 + previous.x1) / 2 - (segment.x0 + segment.x1) / 2) < size
            indented = -0.5 * size < previous.x0 - segment.x0 < 2.5 * size  # a paragraph's indented first line
            if previous.x1 - previous.x0 >= 5 * size and (indented or centred):
                count += 1
                findings.append(
                    finding("single-character last line", segment.page, previous.text + " / " + segment.text)
                )
    return count


def _code(lines: list[Line], right_edge: dict[int, float], findings: list[Diagnostic]) -> tuple[int, int, int]:
    """Code lines running past the text block, and a code block's glyphs whose advance is not their cells:
    one half-em cell for narrow characters (box drawing too, as `tree` and terminals count them), two for
    wide ones. (Measured on each glyph: PDF text loses runs of spaces, so neighbours may be cells apart.)"""
    import unicodedata

    past = glyph_count = off = 0
    block_sizes = Counter(
        g.size for line in lines if all(_is_mono(g) for g in line.glyphs) for g in line.glyphs if g.text.isascii()
    )
    usual_cell = block_sizes.most_common(1)[0][0] / 2 if block_sizes else 0.0
    for line in lines:
        mono = [g for g in line.glyphs if _is_mono(g)]
        if not mono:
            continue
        edge = right_edge.get(line.page % 2)
        if edge is not None and mono[-1].x1 > edge + 1.0:
            past += 1
            findings.append(finding("code past the text block", line.page, line.text))
        if len(mono) < len(line.glyphs):
            continue  # code inside a line of text: only a code block's lines have cells
        # A glyph's box is its advance in its face: a cell is half the code's em, whatever face drew it (the
        # line's own ASCII tells the code's size; a line of box drawing only takes the usual one).
        ascii_sizes = Counter(g.size for g in mono if g.text.isascii() and g.text.strip())
        cell = ascii_sizes.most_common(1)[0][0] / 2 if ascii_sizes else usual_cell
        for glyph in line.visible:
            if glyph.text in "\ufffe\u00ad":
                continue  # the hyphen PDFium reports where a line was broken
            glyph_count += 1
            cells = 2 if unicodedata.east_asian_width(glyph.text[0]) in "WF" else 1
            if abs((glyph.x1 - glyph.x0) - cells * cell) > 0.1 * cell:
                off += 1
                findings.append(finding(f"code glyph off its cell ({glyph.text})", line.page, line.text))
    return past, glyph_count, off


def _numbers_with_gaps(lines: list[Line], findings: list[Diagnostic]) -> int:
    """Digits of one number set apart (letter-spacing): a reader's copy gets "2 80" for 280."""
    count = 0
    for line in lines:
        for a, b in itertools.pairwise(line.glyphs):
            if (
                a.text.isdigit()
                and b.text.isdigit()
                and not b.after_space  # `31 120`, a thousands separator
                and a.size == b.size
                and 0.04 * a.size < b.x0 - a.x1 < 0.3 * a.size
            ):
                count += 1
                findings.append(finding("number with a gap between its digits", line.page, line.text))
    return count


def _text_block(body: list[Line]) -> tuple[float, float]:
    """The usual first and last body baselines of a page (a tenth of pages start lower, a tenth end lower)."""
    firsts: dict[int, float] = {}
    lasts: dict[int, float] = {}
    for line in body:
        firsts[line.page] = min(firsts.get(line.page, line.baseline), line.baseline)
        lasts[line.page] = max(lasts.get(line.page, line.baseline), line.baseline)
    tops, feet = sorted(firsts.values()), sorted(lasts.values())
    return tops[len(tops) // 10], feet[int(len(feet) * 0.9)]


def _issue_starts(layout: PdfLayout) -> list[Bookmark]:
    """The outline's top-level entries after the contents: one per issue."""
    top = [mark for mark in layout.bookmarks if mark.level == 0]
    contents = [mark for mark in top if mark.title.strip() in ("目录", "目錄", "Contents")]
    after = contents[0].page if contents else 0
    return [mark for mark in top if mark.page > after]


def _holes(layout: PdfLayout, lines: list[Line], body: list[Line], findings: list[Diagnostic]) -> tuple[int, int]:
    """Pages inside an issue whose text and pictures stop more than a quarter of the text block above its
    foot; an issue's last page may end anywhere."""
    starts = sorted({mark.page for mark in _issue_starts(layout)})
    if not starts or not body:
        return 0, 0
    top, foot = _text_block(body)
    block = foot - top
    if block <= 0:
        return 0, 0
    by_page: dict[int, list[float]] = defaultdict(list)
    for line in lines:
        if line.baseline <= foot + 2.0:  # the folio sits below the foot
            by_page[line.page].append(line.baseline)
    for page, boxes in layout.pictures.items():
        by_page[page].extend(min(bottom, foot) for _, bottom in boxes)
    holes = pages = 0
    for page in range(starts[0], layout.pages + 1):
        content = by_page.get(page)
        if not content or max(content) < top:  # a blank page or a running head only
            continue
        pages += 1
        following = next((start for start in starts if start > page), layout.pages + 1)
        if not _has_text_between(by_page, page, following, top):
            continue  # the issue's last page
        short = (foot - max(content)) / block
        if short > _HOLE:
            holes += 1
            text = " ".join(line.text for line in lines if line.page == page)[-40:]
            findings.append(finding(f"hole ({short:.0%} of the text block left empty)", page, text))
    return holes, pages


def _has_text_between(by_page: dict[int, list[float]], page: int, start: int, top: float) -> bool:
    """Whether a page after `page` and before the issue starting at `start` has content."""
    return any(by_page.get(other) and max(by_page[other]) >= top for other in range(page + 1, start))


def _issue_bookmarks(layout: PdfLayout, findings: list[Diagnostic]) -> tuple[int, int]:
    import re

    marks = _issue_starts(layout)
    without = [mark for mark in marks if not re.search(r"第\s*\d+\s*期", mark.title)]
    findings.extend(finding("issue bookmark without 第 N 期", mark.page, mark.title) for mark in without)
    return len(marks), len(without)


def _running_heads(
    layout: PdfLayout, lines: list[Line], body: list[Line], findings: list[Diagnostic]
) -> tuple[int, int]:
    """The heads of recto pages inside issues (small text above the first body line) must name the issue."""
    import re

    starts = sorted({mark.page for mark in _issue_starts(layout)})
    if not starts or not body:
        return 0, 0
    top, _ = _text_block(body)
    body_size = statistics.median(line.size for line in body)
    # A head stands apart, in the top margin: the first line of its page, further from the next line than
    # any two lines of text are (a code block continued at a page's top is small text too, but set close).
    first_two: dict[int, list[Line]] = defaultdict(list)
    for line in sorted(lines, key=lambda line: (line.page, line.baseline)):
        if len(first_two[line.page]) < 2:
            first_two[line.page].append(line)
    apart = {
        id(found[0])
        for found in first_two.values()
        if len(found) == 1 or found[1].baseline - found[0].baseline > 2.2 * body_size
    }
    heads = without = 0
    for line in lines:
        if line.page < starts[0] or line.page in starts or line.page % 2 == 0:
            continue
        if line.baseline < top - 0.8 * body_size and line.size < 0.9 * body_size and id(line) in apart:
            heads += 1
            if not re.search(r"第\s*\d+\s*期", line.text):
                without += 1
                findings.append(finding("running head without 第 N 期", line.page, line.text))
    return heads, without


def _contents_split(layout: PdfLayout, lines: list[Line], findings: list[Diagnostic]) -> int:
    """A contents page after the first that does not open with an entry's number: an entry ran over."""
    import re

    top = [mark for mark in layout.bookmarks if mark.level == 0]
    contents = [mark for mark in top if mark.title.strip() in ("目录", "目錄", "Contents")]
    starts = _issue_starts(layout)
    if not contents or not starts:
        return 0
    split = 0
    for page in range(contents[0].page + 1, starts[0].page):
        page_lines = [line for line in lines if line.page == page]
        if not page_lines:
            continue
        first = min(page_lines, key=lambda line: line.baseline)
        if not re.match(r"\s*第\s*\d+\s*期", first.text):
            split += 1
            findings.append(finding("contents entry split across pages", page, first.text))
    return split


def typo_report(pdf_path: Path) -> TypoReport:
    report = measure(read_layout(pdf_path))
    return replace(report, findings=tuple(replace(f, path=pdf_path) for f in report.findings))


def report_table(pdf: Path, report: TypoReport, shown: int) -> str:
    """The report as `publish typo-report` prints it: each figure against its target (✗ where missed), then
    up to `shown` findings of each check with their pages."""
    from collections import defaultdict

    out: list[str] = []
    rows = report.rows()
    width = max(len(row.name) for row in rows)
    out.append(f"{pdf}: {report.lines} lines, {report.body_lines} of body text")
    for row in rows:
        mark = "  " if row.met else "✗ "
        out.append(f"{mark}{row.name:<{width}}  {row.value:>9}   target {row.target}")
    by_check: dict[str, list[Diagnostic]] = defaultdict(list)
    for found in report.findings:
        by_check[found.rule.split(" (")[0]].append(found)
    for check, findings in by_check.items():
        if shown <= 0:
            break
        out.append(f"\n{check}: {len(findings)}")
        for found in findings[:shown]:
            detail = found.rule[len(check) :].strip()
            out.append(f"  p. {found.page}{' ' + detail if detail else ''}: {found.message.strip()[:80]}")
        if len(findings) > shown:
            out.append(f"  … {len(findings) - shown} more (--findings N)")
    return "\n".join(out)
