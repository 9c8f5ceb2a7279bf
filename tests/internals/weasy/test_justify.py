"""The WeasyPrint extension: pinned version, Chinese lines flush at any block width, no gap at line edges."""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path

import pytest
import weasyprint

from publish.editor.typo_report import _is_han, read_lines
from publish.internals.weasy import SUPPORTED, patched
from publish.typefaces import find_face
from publish.typography import PDF_RULES, builtin_rules, typeset_markup
from publish.typography.slots import CLOSING
from publish.writers.fonts import LATIN_SERIF_FAMILY
from publish.writers.look import LATIN_FACE_UNICODE_RANGE, LATIN_FALLBACK_FAMILY

TEXT = (
    "让·鲍德里亚所警示的“拟像”秩序，在Seedance 2.0身上得到了近乎教科书般的演示。在拟像的第三阶段——“仿真”阶段，"
    "模型先于真实，地图先于领土。它不再需要拍摄建筑背面，因为它已内化了关于空间结构的海量模型，能直接从数据的“地图”中，"
    "生成一片符合我们认知的“领土”。这已非拷贝，而是从模型中分娩出的、比真实更符合“正确”预期的超真实。"
)


def _render(tmp_path: Path, body: str, width: str) -> Path:
    """The body in a paragraph of that width, set as the book sets it: Latin in Termes by font fallback
    (writers/look.py), spans' gaps as margins, `halt` on its spans."""
    termes = find_face(LATIN_SERIF_FAMILY).path
    html = f"""<html lang="zh-Hans"><head><style>
      @font-face {{ font-family: "{LATIN_FALLBACK_FAMILY}"; src: url("{termes.as_uri()}");
        unicode-range: {LATIN_FACE_UNICODE_RANGE} }}
      @page {{ size: A5; margin: 20mm }}
      html {{ font-family: "{LATIN_FALLBACK_FAMILY}", "Noto Serif CJK SC"; font-size: 10pt; line-height: 1.8 }}
      p {{ width: {width}; margin: 0; text-align: justify }}
      .latin {{ font-family: "TeX Gyre Termes", "Noto Serif CJK SC"; line-height: 1 }}
      .gap-before {{ margin-left: .25em }} .gap-after {{ margin-right: .25em }}
      .halt {{ font-feature-settings: "halt" }}
    </style></head><body>{body}</body></html>"""
    path = tmp_path / "out.pdf"
    with patched(document_seed="test"):
        weasyprint.HTML(string=html).write_pdf(path)
    return path


def test_written_against_the_installed_weasyprint() -> None:
    assert weasyprint.__version__ == SUPPORTED


@pytest.mark.parametrize("width", ["300pt", "287.3pt", "31.55em"])
def test_every_full_line_ends_flush_at_any_width(tmp_path: Path, width: str) -> None:
    lines = read_lines(_render(tmp_path, typeset_markup(f"<p>{TEXT}</p>", builtin_rules(PDF_RULES)), width))
    assert len(lines) >= 5
    right = max(line.x1 for line in lines if line.visible[-1].text not in CLOSING)
    for line in lines[:-1]:
        # A line may end on a mark halved to let more text in (internals/weasy/line_end.py): the PDF's text gives
        # it a whole em, its blank half past the edge.
        mark = line.visible[-1]
        halved = (0.5,) if mark.text in CLOSING else ()
        assert min(abs(line.x1 - share * mark.size - right) for share in (0.0, *halved)) < 0.05, line.text
    assert lines[-1].x1 < right - 5  # the last line stays short (not stretched)


SPACED = TEXT.replace("在Seedance 2.0身上", "在 Seedance 2.0 ，在它身上").replace("模型先于真实", "模型 GPT ，先于真实")


@pytest.mark.parametrize("width", ["300pt", "287.3pt", "31.55em", "25.3em"])
def test_lines_holding_an_authors_space_beside_chinese_end_flush(tmp_path: Path, width: str) -> None:
    """A run of Chinese that starts or ends with a space (`在 `, ` ，在它`) is widened by its characters'
    whole spacing at that end: counted as at an unspaced end, such lines ended 0.1 pt (LXGW WenKai: 0.9 pt)
    past the edge. The edge is where most full lines end."""
    lines = read_lines(_render(tmp_path, typeset_markup(f"<p>{SPACED}</p>", builtin_rules(PDF_RULES)), width))
    full = [line for line in lines[:-1] if line.visible[-1].text not in CLOSING]
    edge = statistics.median(line.x1 for line in full)
    spaced = [line for line in full if " " in line.text.strip()]
    assert spaced
    for line in spaced:
        assert abs(line.x1 - edge) < 0.05, line.text


def test_the_stretch_is_shared_evenly_between_the_characters(tmp_path: Path) -> None:
    lines = read_lines(_render(tmp_path, typeset_markup(f"<p>{TEXT}</p>", builtin_rules(PDF_RULES)), "287.3pt"))
    for line in lines[:-1]:
        glyphs = line.visible
        advances = [b.x0 - a.x0 for a, b in itertools.pairwise(glyphs) if _is_han(a.text) and _is_han(b.text)]
        assert advances and max(advances) - min(advances) < 0.05, (line, advances)
        assert min(advances) > 10.0  # stretched a little beyond the 10 pt em, never squeezed


def test_a_gap_never_starts_or_ends_a_line(tmp_path: Path) -> None:
    # Ten ideographs fill the 10-em line exactly, so the Latin run must start the next line.
    body = typeset_markup(
        "<p>一二三四五六七八九十Latin词语后面还有一些中文内容用来填满第二行文字</p>", builtin_rules(PDF_RULES)
    )
    assert "十 Latin 词" in body  # the gap is a space, in the Chinese face (typography/spacing.py)
    lines = read_lines(_render(tmp_path, body, "10em"))
    assert lines[1].visible[0].text == "L"
    assert abs(lines[1].x0 - lines[0].x0) < 0.05  # no quarter-em indent from the gap
    glyphs = lines[1].visible
    after_latin = next(i for i, g in enumerate(glyphs) if g.text == "词")
    assert (glyphs[after_latin].x0 - glyphs[after_latin - 1].x1) / 10 >= 0.24  # the gap after it remains


def test_the_patches_are_undone_when_the_context_exits() -> None:
    from weasyprint.draw import text as draw_text
    from weasyprint.images import RasterImage
    from weasyprint.layout import inline
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.pdf import metadata

    def current() -> tuple:
        return (
            RasterImage._get_png_data,
            inline.text_align,
            inline.count_expandable_spaces,
            inline.add_word_spacing,
            inline.split_inline_box,
            inline.can_break_inside,
            inline._break_waiting_children,
            pdf_fonts.Font.clean,
            pdf_fonts.Font.__init__,
            draw_text.draw_first_line,
            metadata.uuid4,
            vars(draw_text).get("int"),
        )

    before = current()
    with patched(document_seed="x"):
        during = current()
        assert all(a is not b for a, b in zip(before[:-1], during[:-1], strict=True))
    assert current() == before
    with pytest.raises(RuntimeError), patched(document_seed="x"):
        raise RuntimeError("a failed layout")
    assert current() == before


def test_an_unsupported_weasyprint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import publish.internals.weasy as weasy

    monkeypatch.setattr(weasy, "version", lambda name: "71.0")
    with pytest.raises(weasy.UnsupportedWeasyPrint, match=r"needs WeasyPrint 70\.0, and WeasyPrint 71\.0 is"):
        weasy.check_version()


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_png_is_embedded_as_it_is_and_looks_the_same(tmp_path: Path, mode: str) -> None:
    import base64
    import io

    import pypdfium2 as pdfium
    from PIL import Image

    from publish.internals.weasy.images import idat_as_is

    picture = Image.merge("RGB", [Image.effect_noise((90, 60), s) for s in (20, 60, 90)]).convert(mode)
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)  # not what WeasyPrint's own re-encoding would give
    data = out.getvalue()
    idat = idat_as_is(data)
    assert idat is not None
    html = f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}" style="width: 90px">'
    plain = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True, cache={})
    with patched(document_seed="x"):
        as_is = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True, cache={})
    assert idat in as_is and idat not in plain  # the file's own compressed pixels, not re-encoded ones

    def pixels(pdf: bytes) -> bytes:
        return pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil().tobytes()

    assert pixels(as_is) == pixels(plain)


def _first_line(tmp_path: Path, body: str, width: str) -> str:
    lines = read_lines(_render(tmp_path, body, width))
    return lines[0].text


def test_a_span_after_a_gap_breaks_inside_rather_than_move_whole(tmp_path: Path) -> None:
    """WeasyPrint 70 laid out a span's content ignoring its left margin (the CJK–Latin gap): when the span
    had to break, it overflowed, and went whole to the next line, leaving this line half empty."""
    body = (
        '<p>教授李蔚实验室在杂志上发表文章<span class="latin gap-before">A genome-wide spectrum of tandem repeat '
        "expansions in humans</span>，该研究全面分析了</p>"
    )
    first = _first_line(tmp_path, body, "20em")
    assert first.startswith("教授李蔚实验室在杂志上发表文章A"), first


def test_break_all_text_breaks_before_a_mark_that_cannot_start_a_line(tmp_path: Path) -> None:
    """An identifier with no UAX #14 break, followed by `，`: the break falls inside it, not before it."""
    body = (
        "<p>或者其他的转录本坐标例如这样的写法或者"
        '<span class="latin" style="word-break: break-all">NM_006218.2:p.E545K</span>，或者其他写法</p>'
    )
    first = _first_line(tmp_path, body, "20em")
    assert first.startswith("或者其他") and "写法或者N" in first and "E545K" not in first, first
