"""Measure the typography of a finished PDF from its glyph positions, so claims about it are numbers."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from publish.cjk import HAN_CHAR

CLOSING = set("，。、；：？！）」』》〉】〕”’．，")
"""Marks that must never begin a line."""
FULL_WIDTH_PUNCTUATION = set("，。、；：？！（）「」『』《》〈〉【】〔〕“”‘’")
_FLUSH_TOLERANCE = 0.5
_PUNCT_PAIR_LIMIT = 1.6


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

    def rows(self) -> list[tuple[str, str, str]]:
        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1f} %"

        def em(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.3f} em"

        return [
            ("lines starting with closing punctuation", str(self.closing_at_line_start), "0"),
            (
                f"full body lines flush right (±{_FLUSH_TOLERANCE} pt), of {self.full_lines}",
                pct(self.flush_right_percent),
                "≥ 99 %",
            ),
            (f"median CJK–Latin gap, of {self.cjk_latin_pairs} pairs", em(self.cjk_latin_gap_em), "≥ 0.2 em"),
            (
                f"adjacent punctuation pairs within {_PUNCT_PAIR_LIMIT} em, of {self.punctuation_pairs}",
                pct(self.punctuation_pairs_compressed_percent),
                "≥ 95 %",
            ),
            ("single-character last lines", str(self.single_character_last_lines), "0"),
            (f"median width of “” between Chinese, of {self.quotes}", em(self.quote_width_em), "≥ 0.9 em"),
        ]


def read_lines(pdf_path: Path) -> list[Line]:
    """Every text line of the PDF, glyphs grouped by baseline (box tops differ between fonts).

    Read with PDFium: pdfminer (pdfplumber) misses the text of WeasyPrint's CID fonts whose encoding
    is `Custom`, which is what the body face gets in a large book."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    lines: list[Line] = []
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        for number in range(len(document)):
            page = document[number]
            textpage = page.get_textpage()
            origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
            matrix = raw.FS_MATRIX()
            font_name = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            glyphs: list[tuple[float, Glyph]] = []
            for index in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage, index) == 1:
                    continue  # a space or line end PDFium inferred, not a glyph of the PDF
                text = textpage.get_text_range(index, 1)
                if not text or text in "\r\n":
                    continue
                left, _, right, _ = textpage.get_charbox(index, loose=True)
                raw.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
                raw.FPDFText_GetMatrix(textpage, index, matrix)
                raw.FPDFText_GetFontInfo(textpage, index, font_name, len(font_name), flags)
                size = raw.FPDFText_GetFontSize(textpage, index) * abs(matrix.a or matrix.d or 1)
                glyph = Glyph(text, left, right, round(size, 2), font_name.value.decode("latin-1"))
                glyphs.append((round(origin_y.value, 1), glyph))
            textpage.close()
            page.close()
            lines.extend(_group_lines(number + 1, glyphs))
    finally:
        document.close()
    return lines


def _group_lines(page: int, glyphs: list[tuple[float, Glyph]]) -> list[Line]:
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
        Line(page, -baseline, sorted(by_baseline[baseline], key=lambda g: g.x0))
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
    counts by its half-em advance, its blank half lying past the edge."""
    last = line.visible[-1]
    if abs(line.x1 - edge) <= _FLUSH_TOLERANCE:
        return True
    return last.text in CLOSING and abs(line.x1 - last.size / 2 - edge) <= _FLUSH_TOLERANCE


def measure(lines: list[Line]) -> TypoReport:
    lines = [line for line in lines if line.visible]
    body_face = _body_face(lines)
    body_size = body_face[0]
    body = [line for line in lines if _is_body(line, body_face)]
    leading = (
        statistics.median(
            b.baseline - a.baseline for a, b in itertools.pairwise(body) if a.page == b.page and b.baseline > a.baseline
        )
        if len(body) > 1
        else body_size * 1.8
    )
    # The text block's edges, per page side (mirrored margins): the leftmost start, the usual end.
    left_edge = {
        side: min(line.x0 for line in body if line.page % 2 == side)
        for side in (0, 1)
        if any(line.page % 2 == side for line in body)
    }
    ends = defaultdict(list)
    for line in body:
        ends[line.page % 2].append(line.x1)
    right_edge = {side: sorted(values)[int(len(values) * 0.9)] for side, values in ends.items()}

    full = flush = single = 0
    for index, line in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else None
        continues = (
            following is not None
            and following.page == line.page
            and abs(following.baseline - line.baseline - leading) < 0.2 * leading
            and abs(following.x0 - left_edge[line.page % 2]) < 1.0
            and abs(following.size - line.size) < 0.05
        )
        if continues:
            full += 1
            flush += _ends_flush(line, right_edge[line.page % 2])
        elif sum(_is_han(g.text) for g in line.visible) == 1 and len(line.visible) <= 2:
            single += 1

    gaps, punct_spans, quote_widths = [], [], []
    closing_starts = sum(1 for line in lines if line.visible[0].text in CLOSING)
    for line in body:
        glyphs = line.glyphs
        # A glyph's advance as laid out is the distance to the next glyph's origin (a `halt` glyph
        # keeps its full width in the font's width table); the last glyph's comes from that table.
        advances = [b.x0 - a.x0 for a, b in itertools.pairwise(glyphs)] + [glyphs[-1].x1 - glyphs[-1].x0]
        for i, (a, b) in enumerate(itertools.pairwise(glyphs)):
            size = a.size
            in_code = "Mono" in a.font or "Mono" in b.font
            in_code = in_code or abs(a.size - b.size) > 0.2 * max(a.size, b.size)  # a superscript call
            if not in_code and ((_is_han(a.text) and _is_latin(b.text)) or (_is_latin(a.text) and _is_han(b.text))):
                gaps.append((b.x0 - a.x1) / size)
            if a.text in FULL_WIDTH_PUNCTUATION and b.text in FULL_WIDTH_PUNCTUATION:
                punct_spans.append((advances[i] + min(advances[i + 1], b.x1 - b.x0)) / size)
        for i in range(1, len(glyphs) - 1):
            if glyphs[i].text in "“”" and _is_han(glyphs[i - 1].text) and _is_han(glyphs[i + 1].text):
                quote_widths.append(advances[i] / glyphs[i].size)

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
    )


def typo_report(pdf_path: Path) -> TypoReport:
    return measure(read_lines(pdf_path))
