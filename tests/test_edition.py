"""Reader editions of the sample book: Traditional (Taiwan, Hong Kong), vertical, and what every EPUB
carries for reading systems: footnote pop-ups and Apple Books' font option."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from publish.edition import corner_quotes

from .testing_utils import (
    REQUIRE_TOOLS,
    Epub,
    build_sample,
    epubcheck_findings,
    pdf_pages_text,
    printed_folio,
)

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    output = tmp_path_factory.mktemp("editions")
    runs = {
        "default": [],
        "tw": ["--edition", "traditional", "--variant", "tw"],
        "hk": ["--edition", "traditional", "--variant", "hk", "--format", "epub"],
        "vertical": ["--vertical"],
    }
    books = {}
    for name, extra in runs.items():
        before = set(output.glob("*.*"))
        result = build_sample(output, *extra)
        assert result.exit_code == 0, result.output
        for path in {p for p in output.glob("*.*") if p.is_file()} - before:
            books[f"{name}{path.suffix}"] = path
    return books


def _chapter_text(epub: Epub, number: int) -> str:
    return "".join(epub.xhtml(f"issue-{number:04d}.xhtml").itertext())


def test_each_edition_has_its_own_files(editions: dict[str, Path]) -> None:
    assert sorted(editions) == ["default.epub", "default.pdf", "hk.epub", "tw.epub", "tw.pdf", "vertical.epub"]
    assert editions["tw.epub"].name == "shanhai-weekly-2026-traditional-tw.epub"
    assert editions["vertical.epub"].name == "shanhai-weekly-2026-vertical.epub"


@pytest.fixture(scope="module")
def epubcheck_of_editions(editions: dict[str, Path]) -> dict[str, list[str]]:
    """epubcheck's findings on each EPUB edition, two checks at a time (each is a Java process that keeps one
    core busy for several seconds)."""
    names = ["default.epub", "tw.epub", "hk.epub", "vertical.epub"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(names, pool.map(epubcheck_findings, [editions[name] for name in names]), strict=True))


@pytest.mark.parametrize("name", ["default.epub", "tw.epub", "hk.epub", "vertical.epub"])
def test_every_edition_passes_epubcheck(epubcheck_of_editions: dict[str, list[str]], name: str) -> None:
    assert epubcheck_of_editions[name] == []


def test_taiwan_edition_uses_taiwan_words_and_corner_quotes(editions: dict[str, Path]) -> None:
    simplified, taiwan = Epub(editions["default.epub"]), Epub(editions["tw.epub"])
    assert taiwan.metadata("dc:language") == ["zh-Hant-TW"]
    assert taiwan.metadata("dc:title") == ["山海週刊合訂本"]
    assert taiwan.metadata("dc:identifier") != simplified.metadata("dc:identifier")
    source, text = _chapter_text(simplified, 1), _chapter_text(taiwan, 1)
    assert "信息流" in source and "資訊流" in text  # a phrase, not only characters
    assert "为什么" in source and "為什麼" in text
    assert "“" in source and not re.search("[“”]", text) and "「" in text
    chapter = taiwan.xhtml("issue-0001.xhtml")
    assert chapter.get("lang") == "zh-Hant-TW"


def test_hong_kong_edition_keeps_hong_kong_words(editions: dict[str, Path]) -> None:
    hong_kong = Epub(editions["hk.epub"])
    assert hong_kong.metadata("dc:language") == ["zh-Hant-HK"]
    text = _chapter_text(hong_kong, 1)
    assert "信息流" in text and "資訊" not in text
    assert "為甚麼" in text or "為什麼" in text  # OpenCC's HK table varies on this word


def test_an_issue_written_in_traditional_is_left_as_written(editions: dict[str, Path]) -> None:
    simplified, taiwan = Epub(editions["default.epub"]), Epub(editions["tw.epub"])
    assert _chapter_text(simplified, 6) == _chapter_text(taiwan, 6)
    assert taiwan.xhtml("issue-0006.xhtml").get("lang") == "zh-Hant"


def test_traditional_pdf_carries_the_converted_text(editions: dict[str, Path]) -> None:
    text = "".join(pdf_pages_text(editions["tw.pdf"])).replace(" ", "")
    assert "山海週刊合訂本" in text and "資訊流" in text and "「" in text
    assert "信息流" not in text


def test_vertical_edition_runs_right_to_left_with_upright_short_numbers(editions: dict[str, Path]) -> None:
    vertical = Epub(editions["vertical.epub"])
    spine = vertical.opf.find("{http://www.idpf.org/2007/opf}spine")
    assert spine.get("page-progression-direction") == "rtl"
    assert vertical.opf.get("dir") is None  # the text itself is not right-to-left
    css = vertical.read("styles/book.css").decode()
    assert "writing-mode: vertical-rl" in css and "text-combine-upright: all" in css
    chapter = vertical.xhtml("issue-0003.xhtml")
    upright = [e.text for e in chapter.iter("{*}span") if e.get("class") == "tcy"]
    assert "3" in upright and all(re.fullmatch(r"\d{1,2}%?", n) for n in upright)  # `6%` is one unit
    # An upright number takes a character's cell: the template's 第 3 期 closes up down the column.
    number = chapter.find(".//{*}p[@class='issue-number']")
    assert "".join(number.itertext()) == "第3期"
    text = "".join(chapter.itertext()).replace("\u2060", "")  # word joiners: invisible, they bind marks
    assert "「年度回顾」" in text and "“" not in text
    assert vertical.metadata("dc:language") == ["zh-Hans"]
    # calibre's Kindle conversion reads the writing mode from the OPF; a library lists both editions apart.
    modes = [m.get("content") for m in vertical.opf.iter("{*}meta") if m.get("name") == "primary-writing-mode"]
    assert modes == ["vertical-rl"]
    horizontal = Epub(editions["default.epub"])
    assert vertical.metadata("dc:title") == [horizontal.metadata("dc:title")[0] + "（直排本）"]
    assert re.search(r'\.halt\s*{[^}]*"vhal"', css)  # punctuation compressed down the column
    # No one- or two-digit number lies on its side anywhere: openings (第 3 期, dates), contents, colophon.
    sideways = []
    loose_text = (
        "//text()[not(ancestor::x:code or ancestor::x:pre or ancestor::x:head or ancestor::x:span[@class='tcy'])]"
    )
    for href in vertical.spine_hrefs():
        for text in vertical.xhtml(href).xpath(loose_text, namespaces={"x": "http://www.w3.org/1999/xhtml"}):
            if "latin" in (text.getparent().get("class") or "").split() and text.is_text:
                found = re.fullmatch(r"\d{1,2}", text)  # a Latin run lies on its side whole, a short number not
                sideways += [(href, text)] if found else []
                continue
            sideways += [(href, text) for _ in re.findall(r"(?<![\w.:/%-])\d{1,2}(?![\w.:/%])", text)]
    assert sideways == []


def test_footnotes_are_pop_up_asides_with_links_back(editions: dict[str, Path]) -> None:
    epub = Epub(editions["default.epub"])
    found = 0
    for href in epub.spine_hrefs():
        document = epub.xhtml(href)
        ids = {e.get("id"): e for e in document.iter() if e.get("id")}
        for link in document.iter("{*}a"):
            if link.get(EPUB_TYPE) != "noteref":
                continue
            found += 1
            note = ids[link.get("href").lstrip("#")]
            assert note.tag.endswith("aside") and note.get(EPUB_TYPE) == "footnote"
            assert note.get("role") == "doc-footnote"
            back = [a for a in note.iter("{*}a") if a.get("role") == "doc-backlink"]
            assert back and back[0].get("href") == f"#{link.get('id')}"
            assert re.match(r"\d+\. ", "".join(note.itertext()).strip())
        assert not list(document.iter("{*}ol")) or all(
            "footnotes-list" not in (ol.get("class") or "") for ol in document.iter("{*}ol")
        )
    assert found >= 2


def test_apple_books_is_told_to_use_the_embedded_fonts(editions: dict[str, Path]) -> None:
    epub = Epub(editions["default.epub"])
    options = epub.zip.read("META-INF/com.apple.ibooks.display-options.xml").decode()
    assert '<option name="specified-fonts">true</option>' in options
    assert all("META-INF" not in (i.get("href") or "") for i in epub.manifest().values())
    styles = [i for i in epub.manifest().values() if i.get("href", "").endswith(".css")]
    assert styles and all(i.get("media-type") == "text/css" for i in styles)
    fonts = [i for i in epub.manifest().values() if i.get("href", "").startswith("fonts/")]
    assert fonts and all(epub.read(i.get("href"))[:4] == b"OTTO" for i in fonts)


def test_kindle_essentials_language_cover_size_and_alt_text(editions: dict[str, Path]) -> None:
    for name in ("default.epub", "tw.epub", "vertical.epub"):
        epub = Epub(editions[name])
        assert re.fullmatch(r"zh(-Han[st])?(-[A-Z]{2})?", epub.metadata("dc:language")[0])
        assert any("cover-image" in (i.get("properties") or "") for i in epub.manifest().values())
        assert editions[name].stat().st_size < 50 * 1024 * 1024
        for href in epub.spine_hrefs():
            for image in epub.xhtml(href).iter("{*}img"):
                assert (image.get("alt") or "").strip(), (href, image.get("src"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说“你好”吗", "他说「你好」吗"),
        ("他说“Hello”吗", "他说「Hello」吗"),
        ("He said “hello” to me", "He said “hello” to me"),
        ("don’t “touch” it", "don’t “touch” it"),
        ("“外‘内’外”", "「外『内』外」"),
    ],
)
def test_corner_quotes_only_for_chinese(text: str, expected: str) -> None:
    assert corner_quotes(text) == expected


def _calibre(*args: str) -> str:
    """A calibre command as root in CI needs no display and no sandbox (its Qt WebEngine is Chromium)."""
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    return subprocess.run(list(args), check=True, capture_output=True, text=True, env=environment, timeout=300).stdout


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["default", "tw", "vertical"])
def test_calibre_converts_each_edition_to_azw3_keeping_what_a_kindle_reader_needs(
    editions: dict[str, Path], tmp_path: Path, edition: str
) -> None:
    """What Kindle readers do: calibre's `ebook-convert` to AZW3. Read back (AZW3 → EPUB), the book keeps its
    title and language, its contents (every issue), its footnotes, its embedded faces and, vertical, its
    writing mode; the EPUB's series and position are what calibre files it under."""
    if shutil.which("ebook-convert") is None and not REQUIRE_TOOLS:
        pytest.skip("calibre is not installed here (make test installs it)")
    source = editions[f"{edition}.epub"]
    azw3, back = tmp_path / "book.azw3", tmp_path / "back.epub"
    _calibre("ebook-convert", str(source), str(azw3))
    meta = _calibre("ebook-meta", str(azw3))
    assert Epub(source).metadata("dc:title")[0] in meta and "zh" in meta.lower()
    assert Epub(source).meta_property("group-position") == ["1"]  # its first issue's number
    assert re.search(r"Series\s*:\s*\S+ #1\b", _calibre("ebook-meta", str(source)))
    _calibre("ebook-convert", str(azw3), str(back))
    with zipfile.ZipFile(back) as book:
        names = book.namelist()
        ncx = etree.fromstring(book.read(next(n for n in names if n.endswith(".ncx"))))
        opf = book.read(next(n for n in names if n.endswith(".opf"))).decode()
        pages = "".join(book.read(n).decode() for n in names if n.endswith((".html", ".xhtml")))
    labels = [t.text for t in ncx.iter("{*}text")]
    issues = [label for label in labels if label and re.match(r"第\s*\d+\s*期", label)]
    assert len(issues) >= 6  # the sample's six issues
    assert len([n for n in names if n.endswith(".otf")]) >= 3  # body, bold and code faces
    assert "fn-i2-1" in pages or "footnote" in pages
    if edition == "vertical":
        assert 'name="primary-writing-mode" content="vertical-rl"' in opf
        assert 'page-progression-direction="rtl"' in opf


def test_epub_marks_where_each_printed_page_begins(editions: dict[str, Path]) -> None:
    epub = Epub(editions["default.epub"])
    nav = epub.nav()
    page_list = [n for n in nav.iter("{*}nav") if n.get(EPUB_TYPE) == "page-list"]
    assert len(page_list) == 1
    entries = [(a.get("href"), a.text) for a in page_list[0].iter("{*}a")]
    pdf_pages = pdf_pages_text(editions["default.pdf"])
    folios = {printed_folio(text): text for text in pdf_pages if printed_folio(text)}
    checked = 0
    for href, label in entries:
        document, marker_id = href.split("#")
        root = epub.xhtml(document)
        marker = next(e for e in root.iter() if e.get("id") == marker_id)
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("aria-label") == label
        # the words just after the marker are printed on the page with that folio
        following = re.sub(r"[\s\u2060\u200b]", "", "".join(marker.getparent().itertext()))[:6]
        if following:
            assert following in re.sub(r"\s", "", folios[label]), (label, following)
            checked += 1
    assert [label for _, label in entries] == sorted((label for _, label in entries), key=int)
    assert len(entries) >= 12 and checked >= 10
    # The NCX lists the same pages, for EPUB 2 reading systems.
    ncx = etree.fromstring(epub.read("toc.ncx"))
    targets = [(t.find("{*}content").get("src"), t.findtext("{*}navLabel/{*}text")) for t in ncx.iter("{*}pageTarget")]
    assert targets == entries
    assert "printPageNumbers" in epub.meta_property("schema:accessibilityFeature")
    assert epub.meta_property("pageBreakSource")


def test_an_epub_built_alone_has_no_page_list(editions: dict[str, Path]) -> None:
    nav = Epub(editions["hk.epub"]).nav()  # built with --format epub: there are no printed pages to cite
    assert not [n for n in nav.iter("{*}nav") if n.get(EPUB_TYPE) == "page-list"]


def test_the_books_own_labels_follow_the_edition(editions: dict[str, Path]) -> None:
    taiwan = Epub(editions["tw.epub"])
    for href in ("toc.xhtml", "colophon.xhtml", "nav.xhtml"):
        text = "".join(taiwan.xhtml(href).itertext())
        assert "目录" not in text and "版权信息" not in text, href
    assert "目錄" in "".join(taiwan.xhtml("toc.xhtml").itertext())
    assert "版權" in "".join(taiwan.xhtml("colophon.xhtml").itertext())
    pdf_text = "".join(pdf_pages_text(editions["tw.pdf"])[:4])
    assert "目錄" in pdf_text and "目录" not in pdf_text and "書名" in pdf_text
    simplified = "".join(Epub(editions["default.epub"]).xhtml("toc.xhtml").itertext())
    assert "目录" in simplified
