"""Page floats and picture shrinking, checked on the PDF as drawn (PDFium): a figure that does not fit the
rest of its page opens the next one, its lead-in with it, and the text after it fills the page it left; one
that fits when a little smaller is drawn smaller where it was; pictures keep their order."""

from __future__ import annotations

import itertools
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ...pictures.conftest import picture
from ...testing_utils import run_cli, write_issue

PARAGRAPH = "城市里的树记下了一年的天气，每一圈年轮都写着雨水和干旱，我们走过时很少抬头看一眼。" * 3


def _build(tmp_path: Path, body: str, pictures: dict[str, tuple[int, int]]) -> Path:
    source = tmp_path / "issues"
    (source / "images").mkdir(parents=True)
    for name, size in pictures.items():
        (source / "images" / name).write_bytes(picture("PNG", size))
    write_issue(source, "issue-001.md", body=body)
    config = tmp_path / "book.toml"  # the page heights the bodies are measured against: no web page's code
    config.write_text('[book]\ntitle = "山海周刊合订本"\n', encoding="utf-8")
    result = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "pdf", "--config", str(config)
    )
    assert result.exit_code == 0, result.output
    return next((tmp_path / "out").glob("*.pdf"))


def _pictures(pdf: Path) -> list[tuple[int, float, float]]:
    """(page, top, bottom) of each picture drawn in the body, in points from the page's foot."""
    document = pdfium.PdfDocument(pdf)
    found = []
    for index, page in enumerate(document):
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            _left, bottom, _right, top = item.get_bounds()
            found.append((index, top, bottom))
    document.close()
    return [p for p in found if p[0] > 2]  # past the title page and colophon


def _text_bottom(pdf: Path, page: int) -> float:
    """Where the page's body text ends (the lowest baseline above the folio), in points from the foot."""
    document = pdfium.PdfDocument(pdf)
    text = document[page].get_textpage()
    lows = [text.get_charbox(i)[1] for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]
    document.close()
    return sorted(lows)[1] if len(lows) > 1 else 0.0  # the lowest is the folio


def _baselines(pdf: Path, page: int) -> list[tuple[float, str]]:
    """The page's lines of text, top down: (where the line's glyphs end lowest, in points from the foot, its
    characters). A glyph's box ends where its ink does (一 above the baseline): the line takes the lowest."""
    document = pdfium.PdfDocument(pdf)
    text = document[page].get_textpage()
    glyphs = []
    for index in range(text.count_chars()):
        left, bottom, _right, _top = text.get_charbox(index)
        glyphs.append((bottom, left, text.get_text_range(index, 1)))
    document.close()
    lines: list[list[tuple[float, float, str]]] = []
    for glyph in sorted(glyphs, reverse=True):
        if glyph[2].isspace():
            continue
        if lines and lines[-1][-1][0] - glyph[0] < 7:  # the same line (lines are 17 pt or more apart)
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return [(line[-1][0], "".join(char for _, _, char in sorted(line, key=lambda g: g[1]))) for line in lines]


def _destinations(pdf: Path) -> dict[str, int]:
    with pikepdf.open(pdf) as book:
        pages = {page.objgen: index for index, page in enumerate(book.pages)}
        names = book.Root.Names.Dests.Names
        return {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


def test_a_figure_that_does_not_fit_opens_the_next_page_and_text_fills_the_one_it_left(tmp_path: Path) -> None:
    body = "\n\n".join([PARAGRAPH] * 2) + "\n\n2、News Minimalist\n\n![](images/tall.png)\n\n"
    body += "\n\n".join(f"{n}、{PARAGRAPH}" for n in range(1, 9)) + "\n"
    pdf = _build(tmp_path, body, {"tall.png": (800, 2400)})
    [(page, _top, _bottom)] = _pictures(pdf)
    names = _destinations(pdf)
    assert names["issue-1-fig-1"] == page
    assert names["issue-1-fig-1-lead"] == page  # the lead-in stays with its picture
    assert names["issue-1-fig-1-origin"] == page - 1  # text that came after the picture fills the page before
    with pikepdf.open(pdf) as book:
        height = float(book.pages[page - 1].mediabox[3])
    assert _text_bottom(pdf, page - 1) < 0.25 * height  # … down to its foot: no hole


def test_a_figure_that_fits_when_smaller_is_drawn_smaller_where_it_was(tmp_path: Path) -> None:
    lines = "\n\n".join([PARAGRAPH] * 6)
    pdf = _build(tmp_path, lines + "\n\n![](images/wide.png)\n\n" + lines + "\n", {"wide.png": (1200, 800)})
    [(page, top, bottom)] = _pictures(pdf)
    width_pt = (148 - 0.625 * 25.4 - 15) / 25.4 * 72
    natural = width_pt * 800 / 1200  # a 3:2 picture set the text block's width
    assert top - bottom < natural - 1  # shrunk …
    assert top - bottom >= 0.6 * natural - 1  # … by at most 40 %
    assert _destinations(pdf)["issue-1-fig-1"] == page
    assert "issue-1-fig-1-origin" not in _destinations(pdf)  # it did not move


def test_pictures_keep_their_order_and_headings_their_sections(tmp_path: Path) -> None:
    body = "\n\n".join([PARAGRAPH] * 5)
    for n in range(1, 5):
        body += f"\n\n{n}、工具\n\n![](images/p{n}.png)\n\n{PARAGRAPH}\n\n## 第 {n} 节\n\n{PARAGRAPH}"
    pdf = _build(tmp_path, body + "\n", {f"p{n}.png": (800, 1600) for n in range(1, 5)})
    names = _destinations(pdf)
    order = [(names[f"issue-1-fig-{n}"], -_pictures(pdf)[n - 1][1]) for n in range(1, 5)]
    assert order == sorted(order)  # by page, then from the top down
    for n in range(1, 5):
        assert names[f"issue-1-fig-{n}-lead"] == names[f"issue-1-fig-{n}"]
        moved = names.get(f"issue-1-fig-{n}-origin")
        assert moved is None or names[f"issue-1-fig-{n}"] - moved <= 1  # at most a page from its text


def test_what_counts_as_a_lead_in_and_a_credit() -> None:
    import xml.etree.ElementTree as ET

    from publish.writers.pdf.floats import is_credit, is_lead_in

    def p(markup: str) -> ET.Element:
        return ET.fromstring(f"<p>{markup}</p>")

    assert is_lead_in(p("2、News Minimalist"))
    assert is_lead_in(p("4、Nat Genet 发表大规模多组学研究结果，揭示上百种结直肠癌相关新遗传风险因素"))  # numbered
    assert is_lead_in(p("下图是这个工具在一台旧笔记本上运行时的界面，左边是文件列表，右边是预览："))
    assert not is_lead_in(p("这是一段很长的正文，" * 5))  # a paragraph, not a line that introduces a picture
    assert not is_lead_in(p('<img src="a.png"/>'))
    assert is_credit(p('<a href="https://example.com/x">图片来源：宋人心中的“斗茶神器”</a>'))
    assert is_credit(p("图源：Unsplash"))
    assert not is_credit(p("这张图说明了一个问题：树比我们想的更会记事。"))
    assert not is_credit(p('<a href="https://example.com/8">8、跨越生物信息学的“数据鸿沟”</a>'))  # an item title


def test_a_picture_shrinks_to_fit_with_the_credit_kept_under_it(tmp_path: Path) -> None:
    # A heading follows the credit: no text can fill the page in the picture's place, so it must shrink to fit
    # with its credit line, which may not be parted from it.
    body = "\n\n".join([PARAGRAPH] * 7) + "\n\n![](images/tall.png)\n\n图源：Unsplash\n\n## 下一节\n\n"
    pdf = _build(tmp_path, body + "\n\n".join([PARAGRAPH] * 6) + "\n", {"tall.png": (800, 2400)})
    [(page, top, bottom)] = _pictures(pdf)
    lines = _baselines(pdf, page)
    credit = next(baseline for baseline, text in lines if text.startswith("图源"))
    assert any(baseline > top and "城市" in text for baseline, text in lines)  # the text before it, on its page
    assert bottom > credit > min(baseline for baseline, _ in lines)  # the credit under it, above the folio
    natural = 2 / 3 * (210 - 20 - 20) / 25.4 * 72  # a tall picture is at most 2/3 of the text block's height
    assert 0.6 * natural - 1 <= top - bottom < natural - 1


def test_a_page_that_floats_cannot_fill_is_spread_to_its_foot(tmp_path: Path) -> None:
    # The section's last paragraphs, then a heading with an item whose picture does not fit even at 60 %.
    body = "\n\n".join([PARAGRAPH] * 9) + "\n\n## 工具\n\n1、Tool\n\n![](images/tall.png)\n\n"
    pdf = _build(tmp_path, body + "\n\n".join([PARAGRAPH] * 3) + "\n", {"tall.png": (800, 2400)})
    [(page, top, _bottom)] = _pictures(pdf)
    names = _destinations(pdf)
    assert names["issue-1-fig-1-lead"] == page and "issue-1-fig-1-origin" not in names
    above = "".join(text for baseline, text in _baselines(pdf, page) if baseline > top)
    assert "工具" in above and "Tool" in above  # the heading and the lead-in with their picture
    before = [baseline for baseline, _ in _baselines(pdf, page - 1)][1:-1]  # the running head, the folio aside
    with pikepdf.open(pdf) as book:
        height = float(book.pages[page - 1].mediabox[3])
    assert before[-1] < 0.2 * height  # the last line at the foot, not a third of the page above it
    pitches = [upper - lower for upper, lower in itertools.pairwise(before)]
    line = min(pitches)
    assert max(pitches) > 2 * line  # the room shared out between the paragraphs …
    assert sorted(pitches)[len(pitches) // 2] < 1.5 * line  # … while the lines of each keep their pitch


def test_an_opening_page_keeps_its_header_at_the_top_and_puts_its_room_above_the_text(tmp_path: Path) -> None:
    body = f"{PARAGRAPH}\n\n欢迎投稿。\n\n## 封面图\n\n![](images/tall.png)\n\n## 本周话题\n\n"
    pdf = _build(tmp_path, body + "\n\n".join([PARAGRAPH] * 3) + "\n", {"tall.png": (800, 2400)})
    [(page, _top, _bottom)] = _pictures(pdf)
    lines = _baselines(pdf, page - 1)
    texts = [text for _, text in lines]
    assert any("年1月5日" in text for text in texts[:5])  # the issue's header at the top of its page
    date = next(baseline for baseline, text in lines if "年1月5日" in text)
    intro = [baseline for baseline, text in lines if "城市" in text or text == "欢迎投稿。"]
    with pikepdf.open(pdf) as book:
        height = float(book.pages[page - 1].mediabox[3])
    assert intro[-1] < 0.2 * height  # the introduction ends at the foot …
    assert date - intro[0] > 0.3 * height  # … the room between the header and it …
    assert intro[0] - intro[-1] < 6 * (intro[0] - intro[1])  # … not between its lines
