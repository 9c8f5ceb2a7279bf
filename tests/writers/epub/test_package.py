"""The EPUB of the sample issues, opened as a reading system would: package, nav, documents, fonts."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from publish.model import Selection
from publish.source import collect_issues
from publish.typefaces import find_face
from publish.writers.fonts import SERIF_FAMILY

from ...testing_utils import NS, SAMPLE_ISSUES, XML_LANG, Epub, epubcheck_findings, run_cli, write_issue
from ...typography.copied_text import only_gap_spaces_added


@pytest.fixture(scope="module")
def epub(sample_books: dict[str, Path]) -> Epub:
    return Epub(sample_books["epub"])


@pytest.fixture(scope="module")
def issues():
    found, _ = collect_issues(SAMPLE_ISSUES, Selection())
    return found


def test_epubcheck_reports_no_error_and_no_warning(sample_books: dict[str, Path]) -> None:
    assert epubcheck_findings(sample_books["epub"]) == []


def test_zip_is_stable_mimetype_first_and_stored(sample_books: dict[str, Path]) -> None:
    with zipfile.ZipFile(sample_books["epub"]) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert {info.date_time for info in archive.infolist()} == {(2026, 2, 9, 0, 0, 0)}
    assert sample_books["epub"].read_bytes()[30:38] == b"mimetype"


def test_package_metadata(epub: Epub) -> None:
    assert epub.opf.get(XML_LANG) == "zh-Hans"
    assert epub.metadata("dc:language") == ["zh-Hans"]
    assert epub.metadata("dc:title") == ["山海周刊合订本"]
    assert epub.metadata("dc:creator") == ["山海周刊编辑部"]
    assert epub.metadata("dc:publisher") == ["山海周刊编辑部"]
    assert epub.metadata("dc:date") == ["2026-02-09"]
    assert epub.metadata("dc:description")[0].startswith("山海周刊 2026 年各期合订本")
    [identifier] = epub.metadata("dc:identifier")
    assert identifier.startswith("urn:uuid:")
    assert epub.meta_property("dcterms:modified") == ["2026-02-09T00:00:00Z"]
    assert epub.meta_property("belongs-to-collection") == ["山海周刊"]
    assert epub.meta_property("collection-type") == ["series"]
    for prop in (
        "schema:accessMode",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
    ):
        assert epub.meta_property(prop), prop


def test_spine_order_and_every_document_has_a_language(epub: Epub, issues) -> None:
    spine = epub.spine_hrefs()
    expected_chapters = [f"issue-{i.number:04d}.xhtml" for i in issues]
    assert spine == ["cover.xhtml", "title.xhtml", "toc.xhtml", *expected_chapters, "colophon.xhtml"]
    assert all(ref.get("linear") != "no" for ref in epub.opf.iterfind("opf:spine/opf:itemref", NS))
    for href in [*spine, "nav.xhtml"]:
        root = epub.xhtml(href)
        assert root.get("lang") and root.get(XML_LANG) == root.get("lang"), href
    langs = {i.number: epub.xhtml(f"issue-{i.number:04d}.xhtml").get("lang") for i in issues}
    assert langs[6] == "zh-Hant" and {langs[n] for n in range(1, 6)} == {"zh-Hans"}


def test_each_chapter_opens_with_its_metadata(epub: Epub, issues) -> None:
    for issue in issues:
        root = epub.xhtml(f"issue-{issue.number:04d}.xhtml")
        header = root.find(".//x:header", NS)
        assert header.findtext("x:p[@class='issue-number']", namespaces=NS) == f"第 {issue.number} 期"
        # the typography's joiners (U+2060, U+200B) are invisible; it adds only the CJK–Latin spaces
        title = re.sub("[\u2060\u200b]", "", "".join(header.find("x:h1", NS).itertext()))
        assert only_gap_spaces_added(issue.title, title)
        time = header.find(".//x:time", NS)
        assert time.get("datetime") == issue.date.isoformat()
        date = re.sub("[\u2060\u200b]", "", "".join(time.itertext()))  # 日 is joined to its number
        assert date == f"{issue.date.year} 年 {issue.date.month} 月 {issue.date.day}\u00a0日"
        description = "".join(header.find("x:p[@class='issue-description']", NS).itertext())
        assert only_gap_spaces_added(issue.description, re.sub("[\u2060\u200b]", "", description).replace("\xa0", " "))


def test_nav_lists_issues_in_order_with_nested_sections(epub: Epub, issues) -> None:
    nav = epub.nav()
    toc = next(n for n in nav.iter("{*}nav") if n.get(f"{{{NS['epub']}}}type") == "toc")
    top = toc.findall("x:ol/x:li", NS)
    labels = [li.findtext("x:a", namespaces=NS) for li in top]
    assert labels[:-1] == [f"第{i.number}期　{i.title}" for i in issues]
    assert labels[-1] == "版权信息"
    first_sections = [a.text for a in top[0].findall("x:ol/x:li/x:a", NS)]
    assert first_sections == ["一、注意力不是被偷走的", "二、记忆需要上下文", "三、读长文的人，也更会写", "本期推荐"]
    landmarks = next(n for n in nav.iter("{*}nav") if n.get(f"{{{NS['epub']}}}type") == "landmarks")
    kinds = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iter("{*}a")]
    assert kinds == ["cover", "toc", "bodymatter"]
    ncx_labels = [t.text for t in epub.xhtml("toc.ncx").iterfind("ncx:navMap/ncx:navPoint/ncx:navLabel/ncx:text", NS)]
    assert ncx_labels == labels


def test_cover_image_and_page(epub: Epub) -> None:
    [cover] = [i for i in epub.manifest().values() if i.get("properties") == "cover-image"]
    image = Image.open(io.BytesIO(epub.read(cover.get("href"))))
    assert image.size == (1600, 2560)
    page = epub.xhtml("cover.xhtml")
    assert page.find(".//x:img", NS).get("src") == cover.get("href")


def test_local_image_is_packaged(epub: Epub) -> None:
    images = [i for i in epub.manifest().values() if i.get("href").startswith("images/") and not i.get("properties")]
    local = next(i for i in images if i.get("media-type") == "image/png")
    # already fit for a phone, so the editor's own bytes are kept
    assert (SAMPLE_ISSUES / "images" / "reading-devices.png").read_bytes() == epub.read(local.get("href"))
    assert epub.xhtml("issue-0004.xhtml").find(".//x:img", NS).get("src") == local.get("href")
    # the sample's remote WebP pictures, from the project's mirror, arrive as JPEG or PNG
    remote = [i for i in images if i is not local]
    assert len(remote) == 2 and {i.get("media-type") for i in remote} <= {"image/jpeg", "image/png"}
    sources = [img.get("src") for img in epub.xhtml("issue-0005.xhtml").iter("{http://www.w3.org/1999/xhtml}img")]
    assert sorted(sources) == sorted(i.get("href") for i in remote)


def test_fonts_are_sc_subsets_covering_the_text(epub: Epub) -> None:
    fonts = [i for i in epub.manifest().values() if i.get("href").startswith("fonts/")]
    assert sorted(f.get("href") for f in fonts) == [
        "fonts/NotoSansMonoCJKSC-Regular.otf",
        "fonts/NotoSerifCJKSC-Bold.otf",
        "fonts/NotoSerifCJKSC-Regular.otf",
    ]
    assert {f.get("media-type") for f in fonts} == {"application/vnd.ms-opentype"}
    regular = TTFont(io.BytesIO(epub.read("fonts/NotoSerifCJKSC-Regular.otf")))
    assert "CFF " in regular and regular["name"].getDebugName(1).startswith("Noto Serif CJK SC")
    cmap = regular.getBestCmap()
    assert len(cmap) < 5000  # a subset, not the 65,535-glyph face
    text = "".join("".join(epub.xhtml(h).itertext()) for h in epub.spine_hrefs())
    invisible = {"\u2060", "\u200b"}  # default-ignorable joiners: shaped as nothing, need no glyph
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap} - invisible
    assert missing == set()
    # Glyph choice: for characters whose Japanese and Simplified forms differ, the subset has the SC one.
    face = find_face(SERIF_FAMILY)
    sc = TTFont(str(face.path), fontNumber=face.index, lazy=True).getBestCmap()
    jp = TTFont(str(face.path), fontNumber=0, lazy=True).getBestCmap()
    differing = [c for c in set(text) if ord(c) in sc and sc[ord(c)] != jp.get(ord(c))]
    assert len(differing) > 20
    assert all(cmap[ord(c)] == sc[ord(c)] for c in differing)
    # Code's face holds every character set in code, and little else.
    mono = TTFont(io.BytesIO(epub.read("fonts/NotoSansMonoCJKSC-Regular.otf"))).getBestCmap()
    code = "".join("".join(e.itertext()) for h in epub.spine_hrefs() for e in epub.xhtml(h).iter("{*}code", "{*}pre"))
    assert code and {c for c in code if not c.isspace() and ord(c) not in mono} - invisible == set()
    assert len(mono) < len(cmap)


def test_emoji_and_symbols_come_from_an_embedded_symbol_face(tmp_path: Path) -> None:
    """🌏 and ⚗ are in no CJK face: the book embeds a Symbola subset holding just them (in text and in code),
    declares it, and names it in the stacks; a book without such characters (the sample) carries no such face."""
    body = "新闻 🌏 一则，炼金 ⚗ 一则。\n\n```\n打印 🔧\n```\n"
    write_issue(tmp_path / "issues", "a.md", body=body)
    result = run_cli(
        "build", "--source", str(tmp_path / "issues"), "--output", str(tmp_path / "out"), "--format", "epub"
    )
    assert result.exit_code == 0, result.output
    path = next((tmp_path / "out").glob("*.epub"))
    book = Epub(path)
    hrefs = {item.get("href") for item in book.manifest().values()}
    assert "fonts/Symbola-Regular.otf" in hrefs
    symbols = TTFont(io.BytesIO(book.read("fonts/Symbola-Regular.otf"))).getBestCmap()
    assert {ord("🌏"), ord("⚗"), ord("🔧")} <= set(symbols)
    assert len(symbols) < 10  # a subset, not the 10,000-glyph face
    css = book.read("styles/book.css").decode()
    assert re.search(r'font-family: "Book Symbols";[^}]*url\("\.\./fonts/Symbola-Regular\.otf"\)', css)
    assert '"Noto Serif CJK SC", "Book Symbols", serif' in css
    assert '"Noto Sans Mono CJK SC", "Book Symbols", monospace' in css
    assert epubcheck_findings(path) == []


def test_a_book_without_symbols_embeds_no_symbol_face(epub: Epub) -> None:
    assert not any("Symbola" in item.get("href") for item in epub.manifest().values())
    assert 'Book Symbols";' not in epub.read("styles/book.css").decode()
