"""A book's own look (issue 31): faces chosen in `[fonts]`, `[style]` tokens and the project's extra CSS, read
back from the books: the PDF's embedded fonts and glyph colours, the EPUB's embedded subsets, stylesheet and
colophon."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

from publish.editor.typo_report import read_layout
from publish.errors import PublishError
from publish.typefaces import find_face

from ..testing_utils import REQUIRE_TOOLS, SAMPLE_ISSUES, Epub, epubcheck_findings, run_cli, write_issue

WENKAI = "LXGW WenKai"


def _wenkai_installed() -> bool:
    try:
        find_face(WENKAI)
    except PublishError:
        return False
    return True


needs_wenkai = pytest.mark.skipif(
    not _wenkai_installed() and not REQUIRE_TOOLS, reason="fonts-lxgw-wenkai is installed by make test"
)


def _project(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "book.toml").write_text('[book]\ntitle = "外观测试"\n' + toml, encoding="utf-8")
    return tmp_path


def _build(project: Path, source: Path = SAMPLE_ISSUES, *extra: str) -> object:
    return run_cli(
        "build",
        "--source",
        str(source),
        "--config",
        str(project / "book.toml"),
        "--output",
        str(project / "out"),
        *extra,
    )


def _pdf_font_names(pdf: Path) -> set[str]:
    names = set()
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                names.add(str(font.get("/BaseFont")).split("+", 1)[-1])
    return names


def _embedded(epub: Epub) -> dict[str, TTFont]:
    return {
        item.get("href"): TTFont(io.BytesIO(epub.read(item.get("href"))))
        for item in epub.manifest().values()
        if item.get("href").startswith("fonts/")
    }


def _font_rules(css: str) -> dict[tuple[str, str], str]:
    """(family, weight) → file of each @font-face rule."""
    rules = {}
    for body in re.findall(r"@font-face\s*{([^}]*)}", css):
        family = re.search(r'font-family:\s*"([^"]+)"', body)[1]
        weight = re.search(r"font-weight:\s*(\w+)", body)[1]
        rules[(family, weight)] = re.search(r'url\("\.\./([^"]+)"\)', body)[1]
    return rules


def _drawn_in_embedded_faces(epub: Epub, css: str, faces: dict[str, TTFont]) -> set[str]:
    """Characters of the body text no face of the body's font list has: what a reader would draw from a face
    of its own."""
    families = re.findall(r'"([^"]+)"', re.search(r"\nbody \{ font-family: ([^;]+);", css)[1])
    rules = _font_rules(css)
    cmaps = [faces[rules[(family, "normal")]].getBestCmap() for family in families if (family, "normal") in rules]
    text = "".join("".join(epub.xhtml(href).itertext()) for href in epub.spine_hrefs())
    invisible = {"\u2060", "\u200b", "\ufe0f"}
    return {c for c in text if not c.isspace() and c not in invisible and not any(ord(c) in cmap for cmap in cmaps)}


@needs_wenkai
def test_a_book_in_lxgw_wenkai_embeds_it_in_both_books_and_keeps_chinese_marks_full_width(tmp_path: Path) -> None:
    project = _project(tmp_path, f'[fonts]\nbody = "{WENKAI}"\n')
    result = _build(project)
    assert result.exit_code == 0, result.output
    pdf, epub_path = project / "out" / "weekly-2026.pdf", project / "out" / "weekly-2026.epub"
    names = _pdf_font_names(pdf)
    assert any(name.startswith("LXGW-WenKai") for name in names), names
    epub = Epub(epub_path)
    faces = _embedded(epub)
    css = epub.read("styles/book.css").decode()
    assert '\nbody { font-family: "LXGW WenKai", "Noto Serif CJK SC", "Book Symbols", serif; }' in css
    rules = _font_rules(css)
    wenkai = faces[rules[(WENKAI, "normal")]]
    assert wenkai["name"].getDebugName(1) == WENKAI and len(wenkai.getBestCmap()) < 5000  # a subset
    assert (WENKAI, "bold") in rules  # the family's own bold
    # No character of the text is left to a reader's own fonts.
    assert _drawn_in_embedded_faces(epub, css, faces) == set()
    # WenKai's quotes are narrow Latin ones: the text's “” come from Noto's full-width forms, in both books.
    assert ord("“") not in wenkai.getBestCmap()
    assert ord("“") in faces[rules[("Noto Serif CJK SC", "normal")]].getBestCmap()
    quotes = [g for line in read_layout(pdf).lines for g in line.glyphs if g.text in "“”"]
    assert quotes and all("Quotes" in g.font for g in quotes), {g.font for g in quotes}
    widths = sorted((g.x1 - g.x0) / g.size for g in quotes)
    assert widths[len(widths) // 2] > 0.9
    # WenKai has no halt: the subset carries one made from its marks, halving a comma's advance.
    assert "GPOS" in wenkai
    # The colophon names the face and its licence as its name table gives it.
    colophon = "".join(epub.xhtml("colophon.xhtml").itertext())
    assert "正文 LXGW WenKai（SIL Open Font License 1.1）" in colophon
    assert epubcheck_findings(epub_path) == []


@needs_wenkai
def test_adjacent_marks_are_compressed_in_a_face_without_halt(tmp_path: Path) -> None:
    """`是：“现` — the colon's blank half is taken (1.5 em for the pair) though WenKai has no halt of its own."""
    issues = tmp_path / "issues"
    write_issue(issues, "001.md", body="编辑部收到的留言是：“现在谁还有耐心读完一篇五千字的文章？”我们回答。\n")
    project = _project(tmp_path, f'[fonts]\nbody = "{WENKAI}"\n')
    assert _build(project, issues, "--format", "pdf").exit_code == 0
    glyphs = [g for line in read_layout(project / "out" / "weekly-2026.pdf").lines for g in line.glyphs]
    text = "".join(g.text for g in glyphs)
    at = text.index("是：“现")
    colon, quote = glyphs[at + 1], glyphs[at + 2]
    assert quote.x0 - colon.x0 == pytest.approx(0.5 * colon.size, abs=0.05 * colon.size)


def _partial_face(folder: Path, keep: str) -> Path:
    """A made-up face: WenKai cut to `keep`, renamed, in the project's fonts/."""
    options = ft_subset.Options()
    options.name_IDs = ["*"]
    font = TTFont(find_face(WENKAI).path)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in keep])
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Partial Kai"
        if record.nameID == 6:
            record.string = "PartialKai-Regular"
    folder.mkdir(exist_ok=True)
    path = folder / "PartialKai.ttf"
    font.save(path)
    return path


@needs_wenkai
def test_characters_a_chosen_face_lacks_are_named_once_where_they_first_occur_and_drawn_embedded(
    tmp_path: Path,
) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "001.md", body="第一段：人人都有书读。\n\n第二段，龘字出现。\n\n第三段又有龘。\n")
    _partial_face(tmp_path / "fonts", "第一二三段：人都有书读，字出现又。期测试周刊简介")
    project = _project(tmp_path, '[fonts]\nbody = "fonts/PartialKai.ttf"\n')
    result = _build(project, issues)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "Partial Kai has no glyph for 龘" in line]
    assert len(warnings) == 1, result.output
    assert warnings[0].startswith(f"{issues / '001.md'}:10: warning: font: ") or "001.md:10:" in warnings[0]
    assert "(U+9F98) — it falls back to Noto Serif CJK SC" in warnings[0]
    epub = Epub(project / "out" / "weekly-2026.epub")
    faces = _embedded(epub)
    css = epub.read("styles/book.css").decode()
    assert _drawn_in_embedded_faces(epub, css, faces) == set()
    assert "龘" in "".join(chr(c) for c in faces[_font_rules(css)[("Noto Serif CJK SC", "normal")]].getBestCmap())
    # The PDF loads the project's own file and falls back the same way.
    names = _pdf_font_names(project / "out" / "weekly-2026.pdf")
    assert any(name.startswith("Partial-Kai") for name in names), names
    assert "Noto-Serif-CJK-SC" in names


@needs_wenkai
def test_a_face_whose_licence_forbids_embedding_is_refused(tmp_path: Path) -> None:
    path = _partial_face(tmp_path / "fonts", "一二三")
    font = TTFont(path)
    font["OS/2"].fsType = 0x0002
    font.save(path)
    issues = tmp_path / "issues"
    write_issue(issues, "001.md")
    project = _project(tmp_path, '[fonts]\nbody = "Partial Kai"\n')
    (project / "out").mkdir()
    (project / "out" / "keep.txt").write_text("before")
    result = _build(project, issues)
    assert result.exit_code != 0
    assert "book.toml:4: fonts.body: Partial Kai (PartialKai.ttf) cannot be embedded: its fsType says restricted" in (
        result.output
    )
    assert sorted(p.name for p in (project / "out").iterdir()) == ["keep.txt"]


def test_unknown_faces_and_bad_tokens_are_reported_together_with_their_lines(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "001.md")
    project = _project(
        tmp_path,
        '[fonts]\nbody = "No Such Family 123"\ncode = "../outside.ttf"\n[style]\naccent = "reddish"\n'
        'heading_align = "middle"\nleading = 9.0\n',
    )
    result = _build(project, issues)
    assert result.exit_code != 0
    for expected in (
        "book.toml:4: fonts.body: no font family 'No Such Family 123' is installed",
        "book.toml:5: fonts.code: '../outside.ttf' is not in the project's fonts/ folder",
        "book.toml:7: style.accent: 'reddish' is not a colour",
        "book.toml:8: style.heading_align: 'middle' is not an alignment",
        "book.toml:9: style.leading: 9.0 is out of range",
    ):
        assert expected in result.output, result.output
    assert not (project / "out").exists()


def _colours_of(pdf: Path, text: str) -> list[tuple[int, ...]]:
    """The fill colour (0–255) of the first character of `text` wherever the PDF draws it (PDFium)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    colours = []
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        chars = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(textpage.count_chars()))
        for match in re.finditer(re.escape(text), chars):
            channels = [ctypes.c_uint() for _ in range(4)]
            assert raw.FPDFText_GetFillColor(textpage, match.start(), *(ctypes.byref(c) for c in channels))
            colours.append(tuple(c.value for c in channels[:3]))
    return colours


def test_accent_tokens_and_extra_css_reach_both_books_after_the_built_in_sheets(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "001.md", body="正文第一段。\n\n## 小标题\n\n第二段。\n")
    project = _project(
        tmp_path, '[style]\naccent = "#2a6f97"\nparagraph_indent = 0.0\nheading_align = "center"\nleading = 2.0\n'
    )
    styles = project / "styles"
    styles.mkdir()
    (styles / "extra.css").write_text(".issue-title { color: #123456; }\n", encoding="utf-8")
    (styles / "extra-epub.css").write_text("/* only-in-epub */ h2 { color: var(--accent); }\n", encoding="utf-8")
    (styles / "extra-pdf.css").write_text("h2 { color: #654321; }\n", encoding="utf-8")
    result = _build(project, issues)
    assert result.exit_code == 0, result.output
    css = Epub(project / "out" / "weekly-2026.epub").read("styles/book.css").decode()
    assert ".issue-number { font-size: 0.9em; color: #2a6f97;" in css
    assert "text-indent: 0em;" in css and "line-height: 2;" in css and "text-align: center;" in css
    assert "var(--" not in re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # written in: Kindle reads no custom properties
    built_in_end = css.index(".halt {")
    assert built_in_end < css.index(".issue-title { color: #123456; }") < css.index("/* only-in-epub */")
    assert "h2 { color: #2a6f97; }" in css and "#654321" not in css
    pdf = project / "out" / "weekly-2026.pdf"
    assert (0x2A, 0x6F, 0x97) in _colours_of(pdf, "第 1 期")  # the issue number, and its contents entry
    assert (0x12, 0x34, 0x56) in _colours_of(pdf, "测试周刊")  # the issue's title: extra.css
    assert _colours_of(pdf, "小标题") == [(0x65, 0x43, 0x21)]  # extra-pdf.css, after extra.css


@needs_wenkai
def test_a_traditional_edition_says_when_the_family_has_no_tc_face(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "001.md", body="“读书”之乐。\n")
    project = _project(tmp_path, f'[fonts]\nbody = "{WENKAI}"\n')
    result = _build(project, issues, "--format", "epub", "--edition", "traditional")
    assert result.exit_code == 0, result.output
    assert "book.toml:4: warning: fonts.body: LXGW WenKai has no TC face installed" in result.output
    # Without a sibling the face itself is embedded; what it lacks comes from Noto's TC face.
    css = Epub(next((project / "out").glob("*traditional*.epub"))).read("styles/book.css").decode()
    assert '"LXGW WenKai", "Noto Serif CJK TC"' in css


def test_a_full_copy_of_the_stylesheets_keeps_working_and_an_old_one_is_named(tmp_path: Path) -> None:

    issues = tmp_path / "issues"
    write_issue(issues, "001.md")
    project = _project(tmp_path, '[style]\naccent = "#2a6f97"\n')
    styles = project / "styles"
    styles.mkdir()
    built_in = Path(__file__).resolve().parents[2] / "styles"
    for sheet in built_in.glob("*.css"):
        (styles / sheet.name).write_text(sheet.read_text(encoding="utf-8"), encoding="utf-8")
    result = _build(project, issues, "--format", "epub")
    assert result.exit_code == 0, result.output
    assert "color: #2a6f97" in Epub(project / "out" / "weekly-2026.epub").read("styles/book.css").decode()
    assert "reads none of the book's tokens" not in result.output
    # A copy made before the tokens: built as it says, with a warning that [style] does not reach it.
    common = styles / "common.css"
    common.write_text(common.read_text(encoding="utf-8").replace("var(--font-body)", '"Noto Serif CJK SC"'))
    result = _build(project, issues, "--format", "epub")
    assert result.exit_code == 0, result.output
    assert "common.css: warning: style: this copy of common.css reads none of the book's tokens" in result.output


def test_a_face_without_chinese_is_named_for_twenty_characters_then_counted(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(
        issues, "001.md", body="天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜。\n"
    )
    project = _project(tmp_path, '[fonts]\nbody = "TeX Gyre Termes"\n')
    result = _build(project, issues, "--format", "epub")
    assert result.exit_code == 0, result.output
    named = [line for line in result.output.splitlines() if "TeX Gyre Termes has no glyph for " in line]
    assert len(named) == 21, result.output
    assert "more characters" in named[-1] and "check that [fonts] names a face with Chinese in it" in named[-1]


@needs_wenkai
def test_a_traditional_edition_takes_the_familys_tc_sibling_when_there_is_one(tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    sc = _partial_face(fonts, "读书之乐简介测试周刊期")
    tc = sc.with_name("PartialKaiTC.ttf")
    font = TTFont(sc)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Partial Kai TC"
        if record.nameID == 6:
            record.string = "PartialKaiTC-Regular"
    font.save(tc)
    issues = tmp_path / "issues"
    write_issue(issues, "001.md", body="讀書之樂。\n")
    project = _project(tmp_path, '[fonts]\nbody = "Partial Kai"\n')
    result = _build(project, issues, "--format", "epub", "--edition", "traditional")
    assert result.exit_code == 0, result.output
    assert "has no TC face" not in result.output
    css = Epub(next((project / "out").glob("*traditional*.epub"))).read("styles/book.css").decode()
    assert '"Partial Kai TC", "Noto Serif CJK TC"' in css
