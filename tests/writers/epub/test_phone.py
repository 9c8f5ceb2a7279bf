"""The EPUB on a phone (issue 16), measured in Debian's Chromium at exact widths: nothing wider than the
screen, no CJK–Latin gap left at a line's edge, no line starting with closing punctuation, no block ending
with one hanzi alone on its last line, and every glyph drawn with a face the book embeds (a reader without
CJK fonts shows the rest as boxes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.phone import CHROMIUM, Phone, as_without_autospace, unpack_chapters

from ...testing_utils import REQUIRE_TOOLS, ROOT, SAMPLE_ISSUES, build_sample, run_cli, tiny_png, write_issue

WIDTHS = (320, 400)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Phone:
    if shutil.which("chromium") is None and not REQUIRE_TOOLS:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    assert CHROMIUM.exists()
    device = Phone(tmp_path_factory.mktemp("chromium-profile"))
    yield device
    device.close()


def _plain_chapters(epub: Path, into: Path) -> list[Path]:
    """The chapters as an engine without `text-autospace` reads them (Kindle, Kobo, MuPDF, older WebKit)."""
    pages = unpack_chapters(epub, into)
    as_without_autospace(into)
    return pages


def _look(
    phone: Phone, pages: list[Path], widths: tuple[int, ...] = WIDTHS, *, autospace: bool = True
) -> tuple[list[str], dict[str, int]]:
    """What sticks out (past the screen's width, or in a vertical book past the column's length), gaps at line
    edges and lonely last characters, at each width; and the glyphs drawn in faces the book does not embed."""
    overflowing: list[str] = []
    missing: dict[str, int] = {}
    for page in pages:
        for width in widths:
            report = phone.look_at(page, width, autospace=autospace)
            found = report.overflowing + report.edge_gaps + report.closing_at_line_start
            if page.name != "nav.xhtml":  # its labels are shown in the reading system's own menus
                found += report.lonely_last_characters
            overflowing += [f"{page.name} at {width} px: {what}" for what in found]
            for face, count in report.glyphs_not_embedded.items():
                missing[f"{page.name}: {face}"] = missing.get(f"{page.name}: {face}", 0) + count
    return overflowing, missing


@pytest.mark.parametrize("edition", [(), ("--edition", "traditional"), ("--vertical",)], ids=str)
def test_sample_editions_fit_a_phone_in_embedded_faces(phone: Phone, tmp_path: Path, edition: tuple) -> None:
    # Both formats: the EPUB then marks the printed pages, and a marker before a picture must not unsettle it.
    assert build_sample(tmp_path / "out", *edition).exit_code == 0
    epub = next((tmp_path / "out").glob("*.epub"))
    overflowing, missing = _look(phone, unpack_chapters(epub, tmp_path / "book"))
    assert overflowing == []
    assert missing == {}
    # In an engine without text-autospace the gaps are the book's own spaces: none left at a line's edge.
    overflowing, _ = _look(phone, _plain_chapters(epub, tmp_path / "plain"), WIDTHS[:1], autospace=False)
    assert overflowing == []


def test_a_book_in_its_own_face_fits_a_phone_in_embedded_faces(phone: Phone, tmp_path: Path) -> None:
    """The sample set in LXGW WenKai (issue 31): each glyph from an embedded face (WenKai's subset, or Noto's
    for the quotes WenKai draws narrow), nothing past the screen, no mark starting a line."""
    from publish.errors import PublishError
    from publish.typefaces import find_face

    try:
        find_face("LXGW WenKai")
    except PublishError:
        if REQUIRE_TOOLS:
            raise
        pytest.skip("fonts-lxgw-wenkai is installed by make test")
    config = tmp_path / "book.toml"
    config.write_text((ROOT / "book.toml").read_text(encoding="utf-8") + '\n[fonts]\nbody = "LXGW WenKai"\n')
    result = run_cli(
        "build", "--source", str(SAMPLE_ISSUES), "--config", str(config), "--format", "epub", "--output", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    epub = next(tmp_path.glob("*.epub"))
    overflowing, missing = _look(phone, unpack_chapters(epub, tmp_path / "book"))
    assert overflowing == []
    assert missing == {}


def test_corpus_issues_fit_a_phone_in_embedded_faces(phone: Phone, corpus_phone_epub: Path, tmp_path: Path) -> None:
    """Issues 75–100: their links, addresses and code within the screen, their emoji (🌏 📡 🔧 in issue 82) in
    the embedded symbol face. Each width once: 400 px as Chromium shows it, 320 px as an engine without
    `text-autospace` does (with the ¼-em gap as a margin, 286 lines at 320 px started indented or ended short
    there). Measured on this corpus: the same findings (none) in either mode at either width; the corpus is
    the suite's longest look, so it is taken once per width."""
    overflowing, missing = _look(phone, unpack_chapters(corpus_phone_epub, tmp_path / "book"), WIDTHS[1:])
    assert overflowing == []
    assert missing == {}
    plain = _plain_chapters(corpus_phone_epub, tmp_path / "plain")
    overflowing, missing = _look(phone, plain, WIDTHS[:1], autospace=False)
    assert overflowing == []
    assert missing == {}


def test_the_edge_check_sees_a_gap_left_at_a_line_start(phone: Phone, tmp_path: Path) -> None:
    """The check itself: 19 hanzi fill a 320 px line (16 px text, 8 px margins), so the Latin word after them
    starts the next line. As a margin, its gap stays there and is reported; as a space, it goes."""
    page = tmp_path / "gaps.html"
    hanzi = "这是一行刚好排满十九个汉字的中文长句子"
    assert len(hanzi) == 19
    page.write_text(
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"/><style>'
        "body { margin: 0 8px; font: 16px/1.75 'Noto Serif CJK SC'; text-autospace: no-autospace; }"
        "p { text-align: justify; margin: 0 0 1em; }</style></head><body>"
        f'<p id="margin">{hanzi}<span style="margin-left: 0.25em">Python</span>是一种语言。</p>'
        f'<p id="space">{hanzi} <span>Python</span> 是一种语言。</p></body></html>',
        encoding="utf-8",
    )
    gaps = phone.look_at(page, 320, autospace=False).edge_gaps
    assert len(gaps) == 1 and gaps[0].startswith("line starts 4 px in: 子|P"), gaps


def test_the_edge_checks_read_a_hard_line_break_as_a_line_end(phone: Phone, tmp_path: Path) -> None:
    """The check itself: 19 hanzi fill a 320 px line, so the 20th stands alone on the line before a `<br>`
    (an entry's description, then its address): a lonely last character, found; and the address line the `<br>`
    ends short is no gap left at a justified line's end."""
    page = tmp_path / "breaks.html"
    hanzi = "这是一行刚好排满十九个汉字的中文长句子"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"/><style>'
        "body { margin: 0 8px; font: 16px/1.75 'Noto Serif CJK SC'; text-autospace: no-autospace; }"
        "p { text-align: justify; margin: 0 0 1em; }</style></head><body>"
        f"<p>{hanzi}母。<br/>https://example.org/tool<br/>下一个工具很好用。</p></body></html>",
        encoding="utf-8",
    )
    report = phone.look_at(page, 320, autospace=False)
    assert report.lonely_last_characters == ["p: …母。"], report.lonely_last_characters
    assert report.edge_gaps == []


def test_corpus_issues_fit_a_phone_set_vertically(phone: Phone, tmp_path: Path, corpus_phone_epub: Path) -> None:
    """The vertical edition of issues 75–100: nothing runs past a column's foot (long programs and tables scroll
    within it), no lonely last character down a column, every glyph in an embedded face."""
    result = run_cli(
        "build",
        "--source",
        str(corpus_phone_epub.parent.parent / "issues"),
        "--output",
        str(tmp_path),
        "--format",
        "epub",
        "--vertical",
    )
    assert result.exit_code == 0, result.output
    # A column's length is the screen's height, the same at every width: one width tells all.
    pages = unpack_chapters(next(tmp_path.glob("*.epub")), tmp_path / "book")
    overflowing, missing = _look(phone, pages, widths=WIDTHS[:1])
    assert overflowing == []
    assert missing == {}


def test_a_picture_opening_a_paragraph_fits_a_phone(phone: Phone, tmp_path: Path) -> None:
    """The usual newsletter picture: a wide screenshot with its source linked after it in the same paragraph
    (CommonMark keeps them in one `<p>`, which the first line's indent pushed 2 em past a 320 px screen)."""
    source = tmp_path / "issues"
    write_issue(
        source, "a.md", body="开头的一段话。\n\n![第一张截图](wide.png)\n[图片来源：某网站](https://example.org/a)\n"
    )
    (source / "wide.png").write_bytes(tiny_png(size=(1200, 600)))
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub")
    assert result.exit_code == 0, result.output
    overflowing, missing = _look(phone, unpack_chapters(next((tmp_path / "out").glob("*.epub")), tmp_path / "book"))
    assert overflowing == []
    assert missing == {}


def _issue_chapter(tmp_path: Path, body: str) -> Path:
    """The issue's chapter of an EPUB built from one issue with this body, unpacked."""
    source = tmp_path / "issues"
    write_issue(source, "a.md", body=body)
    result = run_cli("build", "--source", str(source), "--output", str(tmp_path / "out"), "--format", "epub")
    assert result.exit_code == 0, result.output
    page = next(
        p for p in unpack_chapters(next((tmp_path / "out").glob("*.epub")), tmp_path / "book") if "issue" in p.name
    )
    return page


def test_an_address_after_its_label_starts_on_the_label_line(phone: Phone, tmp_path: Path) -> None:
    """The newsletter's `论文链接：https://…`: the address breaks anywhere, so it starts beside its label instead
    of moving whole to the next line and leaving `论文链接：` alone, stretched across a 320 px screen; a long
    repository name likewise."""
    address = "https://aacrjournals.org/cancerdiscovery/article/11/10/2506/665617/Resolving-the-Spatial"
    repository = "openbiox/weekly-archive-2023-and-2024-issues"
    page = _issue_chapter(tmp_path, f"- 论文链接：{address}\n- 代码：见 {repository} 仓库\n")
    phone.look_at(page, 320)
    lines = phone.evaluate(
        """[...document.querySelectorAll('li')].map(item => {
              const label = document.createRange();
              label.setStart(item.firstChild, 0); label.setEnd(item.firstChild, 1);
              const address = item.querySelector('a') || item.querySelector('span.latin');
              return [label.getBoundingClientRect().top, address.getClientRects()[0].top];
            })"""
    )
    assert isinstance(lines, list) and len(lines) == 2
    for label_top, address_top in lines:
        assert abs(label_top - address_top) < 2


def test_an_address_broken_anywhere_keeps_three_characters_on_each_line(phone: Phone, tmp_path: Path) -> None:
    """At 320 px an e-mail address or link broken anywhere never leaves one or two of its characters alone
    before the marks after it (`……@gmail.co` / `m）。`): its first and last three characters hold together."""
    openings = "城市里的树记下了一年的天气每一圈年轮都写着雨水和干旱"
    body = "\n\n".join(f"{openings[:n]}，请写信（someone.else{n}@gmail.com）。" for n in range(4, 24))
    page = _issue_chapter(tmp_path, body + "\n")
    phone.look_at(page, 320)
    # Each line's part of each address: the text of the characters on each of its line boxes.
    pieces = phone.evaluate(
        """[...document.querySelectorAll('.break-anywhere')].map(address => {
              const walker = document.createTreeWalker(address, NodeFilter.SHOW_TEXT), lines = [];
              let top = null;
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (let i = 0; i < node.data.length; i++) {
                  const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
                  const box = range.getBoundingClientRect();
                  if (top === null || Math.abs(box.top - top) > 2) { lines.push(''); top = box.top; }
                  lines[lines.length - 1] += node.data[i];
                }
              }
              return lines;
            })"""
    )
    assert isinstance(pieces, list)
    assert any(len(lines) > 1 for lines in pieces)  # some addresses do break across lines …
    short = [lines for lines in pieces if any(len(piece.strip("\u200b\u2060")) < 3 for piece in lines)]
    assert not short  # … and none leaves fewer than three of its characters on a line
