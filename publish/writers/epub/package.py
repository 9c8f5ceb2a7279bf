"""Write the EPUB 3: our own XHTML documents, packaged by ebooklib, then zipped byte-for-byte stable."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial

from ebooklib import epub
from lxml import etree

from publish.edition import label_in
from publish.internals.ebooklib_writer import write_epub_bytes
from publish.model import Book, Chapter, PrintPage
from publish.writers.embedded_fonts import (
    ALWAYS_IN_FONT,
    FONT_MEDIA_TYPE,
    READING_ROLES,
    EpubFonts,
    document_texts,
    embedded_faces,
)
from publish.writers.epub.cover_image import draw_cover
from publish.writers.epub.symbols import symbols_in_document
from publish.writers.epub.vertical import upright_numbers_in_document
from publish.writers.look import RoleTexts
from publish.writers.page_map import find_issue, issue_blocks
from publish.writers.page_templates import render_page
from publish.xhtml import classes, inner_markup, parse_body


def _page_list_nav(content: bytes, page_list: list[tuple[str, str, str]], language: str) -> bytes:
    """The navigation document with our own page list: (document, marker id, printed folio) of each page of
    the printed edition (ebooklib's own takes every element that has an epub:type and an id)."""
    if not page_list:
        return content
    root = etree.fromstring(content)
    body = root.find("{http://www.w3.org/1999/xhtml}body")
    nav = etree.SubElement(body, "{http://www.w3.org/1999/xhtml}nav", {"id": "page-list", "hidden": "hidden"})
    nav.set(_EPUB_TYPE, "page-list")
    heading = etree.SubElement(nav, "{http://www.w3.org/1999/xhtml}h2")
    heading.text = label_in("印刷版页码", language)
    listing = etree.SubElement(nav, "{http://www.w3.org/1999/xhtml}ol")
    for document, marker, folio in page_list:
        entry = etree.SubElement(listing, "{http://www.w3.org/1999/xhtml}li")
        link = etree.SubElement(entry, "{http://www.w3.org/1999/xhtml}a", {"href": f"{document}#{marker}"})
        link.text = folio
    return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)


_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"


def _page_list_ncx(content: bytes, page_list: list[tuple[str, str, str]], language: str) -> bytes:
    """The NCX with the same page list, for EPUB 2 reading systems (older Kindles and Kobos, Adobe's engine):
    they read print pages from its <pageList> and not from the navigation document."""
    if not page_list:
        return content
    root = etree.fromstring(content)
    pages = etree.SubElement(root, f"{_NCX}pageList")
    label = etree.SubElement(etree.SubElement(pages, f"{_NCX}navLabel"), f"{_NCX}text")
    label.text = label_in("印刷版页码", language)
    for index, (document, marker, folio) in enumerate(page_list, start=1):
        kind = "normal" if re.search(r"\d$", folio) else "front"  # `37`, `上册 p. 37`; roman folios are front matter
        target = etree.SubElement(pages, f"{_NCX}pageTarget", {"id": f"pt-{index}", "type": kind})
        if folio.isdigit():  # value is a number, unique with its type: volumes repeat folios, so they go without
            target.set("value", folio)
        text = etree.SubElement(etree.SubElement(target, f"{_NCX}navLabel"), f"{_NCX}text")
        text.text = folio
        etree.SubElement(target, f"{_NCX}content", {"src": f"{document}#{marker}"})
    return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)


def print_page_markers(markup: str, pages: Sequence[PrintPage]) -> tuple[str, list[tuple[str, str]]]:
    """The chapter document with a page-break marker where each printed page begins, and (id, folio) of
    each marker. A page that begins inside a block shares the place of the marker before it."""
    root = etree.fromstring(markup.encode("utf-8"))
    issue = find_issue(root)
    if issue is None or not pages:
        return markup, []
    blocks = list(issue_blocks(issue))
    markers: list[tuple[str, str]] = []
    after: etree._Element | None = None  # the last marker placed, for pages that begin inside a block
    for page in pages:
        marker = etree.Element(
            "{http://www.w3.org/1999/xhtml}span",
            {"id": page.marker, "role": "doc-pagebreak", "aria-label": page.label},
        )
        marker.set(_EPUB_TYPE, "pagebreak")
        if page.block is not None and page.block < len(blocks):
            block = blocks[page.block]
            if etree.QName(block).localname in ("table", "hr"):
                block.addprevious(marker)  # a table's first child must be a row group; hr holds nothing
            else:
                marker.tail, block.text = block.text, None
                block.insert(0, marker)
        elif after is not None:
            after.addnext(marker)
            marker.tail, after.tail = after.tail, None
        else:
            continue
        after = marker
        markers.append((page.marker, page.label))
    return etree.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>").replace(
        "<!DOCTYPE html>", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>', 1
    ), markers


def meta_title(book: Book) -> str:
    return f"{book.meta.title}（{book.meta.span}）"


def chapter_href(chapter: Chapter) -> str:
    return f"issue-{chapter.issue.number:04d}.xhtml"


def _nav_tree(chapter: Chapter) -> tuple[epub.Link, list]:
    """The issue and its sections nested by level, in ebooklib's (Link, [children]) form."""
    href = chapter_href(chapter)
    root: tuple[epub.Link, list] = (
        epub.Link(href, f"第{chapter.issue.number}期　{chapter.issue.title}", chapter.anchor),
        [],
    )
    stack: list[tuple[int, list]] = [(1, root[1])]
    for section in chapter.sections:
        while stack[-1][0] >= section.level:
            stack.pop()
        node: tuple[epub.Link, list] = (epub.Link(f"{href}#{section.anchor}", section.title, section.anchor), [])
        stack[-1][1].append(node)
        stack.append((section.level, node[1]))
    return _flatten_leaves(root)


def _flatten_leaves(node: tuple[epub.Link, list]) -> tuple[epub.Link, list] | epub.Link:
    link, children = node
    if not children:
        return link
    return (link, [_flatten_leaves(child) for child in children])


EPUB_NS = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{EPUB_NS}}}type"


def footnotes_as_asides(body: str, label: str = "注释") -> str:
    """Footnotes that Apple Books, Kobo and KOReader show as pop-ups: each call an `epub:type="noteref"`
    link, each note an `<aside epub:type="footnote">` holding its number and a link back to the call."""
    if "footnote-item" not in body:
        return body
    root = parse_body(body, f'xmlns:epub="{EPUB_NS}"')
    for sup in root.iter("sup"):
        link = sup.find("a")
        if "footnote-ref" in classes(sup) and link is not None:
            link.set(_EPUB_TYPE, "noteref")
            link.set("role", "doc-noteref")
    for section in root.iter("section"):
        if "footnotes" not in classes(section):
            continue
        section.set("aria-label", label)
        for listing in section.findall("ol"):
            position = list(section).index(listing)
            for number, item in enumerate(listing.findall("li"), start=1):
                aside = etree.Element("aside", {"id": item.get("id", ""), "class": "footnote-item"})
                aside.set(_EPUB_TYPE, "footnote")
                aside.set("role", "doc-footnote")
                aside.text = item.text
                aside.extend(list(item))
                label = etree.Element("span", {"class": "footnote-label"})
                label.text = f"{number}. "
                first = aside[0] if len(aside) and aside[0].tag == "p" else aside
                label.tail, first.text = first.text, None
                first.insert(0, label)
                for back in aside.iter("a"):
                    if "footnote-backref" in classes(back):
                        back.set("role", "doc-backlink")
                section.insert(position, aside)
                position += 1
            section.remove(listing)
    return inner_markup(root)


def _documents(
    book: Book,
    cover_href: str,
    print_pages: Mapping[str, Sequence[PrintPage]],
    page_list: list,
    typefaces: list[tuple[str, str, str]],
) -> Iterator[tuple[str, str, str]]:
    """(id, file name, XHTML) of every content document, in reading order; the colophon names `typefaces`."""
    # Dates in the pages' templates take the EPUB's CJK–Latin gap, a space (typography/spacing.py).
    common = {"book": book, "lang": book.meta.language, "cjk_latin_gap": "space", "typefaces": typefaces}
    t = partial(label_in, language=book.meta.language)
    pages = [
        ("cover", "cover.xhtml", "epub_cover.xhtml", "封面", "cover-page", "", {"cover_href": cover_href}),
        ("titlepage", "title.xhtml", "epub_title.xhtml", book.meta.title, "title", "frontmatter", {}),
        ("toc", "toc.xhtml", "epub_toc.xhtml", t("目录"), "toc-page", "frontmatter", {"href": chapter_href}),
    ]
    for uid, file_name, template, title, body_class, body_type, extra in pages:
        context = {**common, **extra}
        yield uid, file_name, render_page(template, title=title, body_class=body_class, body_type=body_type, **context)
    for chapter in book.chapters:
        chapter = replace(chapter, body=footnotes_as_asides(chapter.body, t("注释")))
        markup = render_page(
            "epub_chapter.xhtml",
            title=chapter.issue.title,
            body_class="chapter",
            body_type="bodymatter",
            chapter=chapter,
            book=book,
            lang=chapter.issue.lang,
            cjk_latin_gap="space",
        )
        if chapter.anchor in print_pages:
            markup, markers = print_page_markers(markup, print_pages[chapter.anchor])
            page_list.extend((chapter_href(chapter), marker, folio) for marker, folio in markers)
        yield chapter.anchor, chapter_href(chapter), markup
    colophon = render_page(
        "epub_colophon.xhtml", title=t("版权信息"), body_class="colophon-page", body_type="backmatter", **common
    )
    yield "colophon", "colophon.xhtml", colophon


ACCESSIBILITY_SUMMARY = "全书为可重排文本，带有按期与章节嵌套的目录导航，阅读顺序与印刷版一致；图片附有替代文字或链接。"


def _accessibility(book: epub.EpubBook, has_images: bool, language: str) -> None:
    def meta(prop: str, value: str) -> None:
        book.add_metadata(None, "meta", value, {"property": prop})

    meta("schema:accessMode", "textual")
    if has_images:
        meta("schema:accessMode", "visual")
    meta("schema:accessModeSufficient", "textual")
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"):
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    meta(
        "schema:accessibilitySummary",
        label_in(ACCESSIBILITY_SUMMARY, language),
    )


def _package_metadata(ebook: epub.EpubBook, book: Book, vertical: bool, has_images: bool) -> None:
    """Identifier, title, language, people, dates, series and accessibility; the writing mode if vertical."""
    meta = book.meta
    if vertical:
        ebook.set_direction("rtl")
        # calibre (and its Kindle conversion) reads the writing mode from this OPF 2 meta, not from the CSS.
        ebook.add_metadata(None, "meta", "", {"name": "primary-writing-mode", "content": "vertical-rl"})
    ebook.FOLDER_NAME = "EPUB"
    ebook.set_identifier(meta.identifier)
    ebook.set_title(meta.title)
    ebook.set_language(meta.language)
    ebook.add_author(meta.creator)
    ebook.add_metadata("DC", "publisher", meta.publisher)
    ebook.add_metadata("DC", "description", meta.description)
    ebook.add_metadata("DC", "date", meta.modified.date().isoformat())
    if meta.license:
        ebook.add_metadata("DC", "rights", meta.license)
    ebook.add_metadata(None, "meta", meta.series, {"property": "belongs-to-collection", "id": "series"})
    ebook.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
    # Its place in the series, for calibre and Apple Books: the number of its first issue (volumes of one
    # newsletter sort in order, and no two share it).
    first = str(book.chapters[0].issue.number) if book.chapters else "1"
    ebook.add_metadata(None, "meta", first, {"refines": "#series", "property": "group-position"})
    _accessibility(ebook, has_images=has_images, language=meta.language)


def _cover(ebook: epub.EpubBook, book: Book, fonts: EpubFonts) -> str:
    """The cover image (book.toml's, or one drawn), set before the nav: ebooklib breaks otherwise. Its href."""
    meta = book.meta
    if book.cover_image is not None:
        cover_bytes, cover_name = book.cover_image, "cover" + (".jpg" if "jpeg" in book.cover_media_type else ".png")
    else:
        cover_bytes = draw_cover(
            meta.title, meta.subtitle or meta.series, meta.volume_line or book.issue_span, fonts.regular, fonts.bold
        )
        cover_name = "cover.png"
    ebook.set_cover(f"images/{cover_name}", cover_bytes, create_page=False)
    return f"images/{cover_name}"


def _content_items(
    ebook: epub.EpubBook, book: Book, documents: list, fonts: EpubFonts, stylesheet: str, vertical: bool
) -> list[epub.EpubItem]:
    """The documents, the stylesheet and the embedded faces cut to the documents' characters; the spine."""
    t = partial(label_in, language=book.meta.language)
    # The navigation document's own words (landmarks, the page list's heading) are drawn in the embedded faces too.
    words = [ALWAYS_IN_FONT, book.meta.title, book.meta.series, t("目录"), t("导览"), t("版权信息"), "封面正文"]
    texts = [RoleTexts("".join(words) + t("印刷版页码"), ALWAYS_IN_FONT, ALWAYS_IN_FONT, ALWAYS_IN_FONT)]
    markups = []
    for uid, file_name, markup in documents:
        if vertical:
            markup = upright_numbers_in_document(markup)
        markups.append((uid, file_name, markup))
        texts.append(document_texts(markup))
    embedded = embedded_faces(fonts, RoleTexts.joined(texts))
    spine = []
    for uid, file_name, markup in markups:
        content = symbols_in_document(markup, embedded.symbols).encode("utf-8")
        item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
        ebook.add_item(item)
        spine.append(item)
    css = (stylesheet + embedded.stylesheet).encode("utf-8")
    ebook.add_item(epub.EpubItem(uid="style", file_name="styles/book.css", media_type="text/css", content=css))
    for uid, file_name, content in embedded.files():
        ebook.add_item(epub.EpubItem(uid=uid, file_name=file_name, media_type=FONT_MEDIA_TYPE, content=content))
    return spine


def _navigation(ebook: epub.EpubBook, book: Book) -> None:
    """The nav (issues with their sections), the NCX and the guide."""
    t = partial(label_in, language=book.meta.language)
    ebook.toc = [_nav_tree(chapter) for chapter in book.chapters]
    ebook.toc.append(epub.Link("colophon.xhtml", t("版权信息"), "colophon"))
    ebook.guide = [
        {"href": "cover.xhtml", "title": "封面", "type": "cover"},
        {"href": "toc.xhtml", "title": t("目录"), "type": "toc"},
        {"href": chapter_href(book.chapters[0]), "title": "正文", "type": "text"},
    ]
    ebook.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=t("目录"))
    nav.add_link(href="styles/book.css", rel="stylesheet", type="text/css")  # its text in the embedded faces too
    ebook.add_item(nav)


def build_epub(
    book: Book,
    fonts: EpubFonts,
    stylesheet: str,
    image_files: dict[str, bytes],
    *,
    vertical: bool = False,
    print_pages: Mapping[str, Sequence[PrintPage]] | None = None,
) -> bytes:
    """The whole EPUB as bytes; the caller decides where and how they are written. A vertical book turns
    its pages leftwards (page-progression-direction rtl); its columns come from the stylesheet. With the
    printed edition's pages, each issue marks where they begin and the navigation lists them."""
    meta = book.meta
    ebook = epub.EpubBook()
    _package_metadata(ebook, book, vertical, has_images=bool(image_files))
    cover_href = _cover(ebook, book, fonts)
    page_list: list[tuple[str, str, str]] = []
    typefaces = fonts.look.colophon_faces(READING_ROLES if fonts.look.chosen("sans") else READING_ROLES[:3])
    documents = list(_documents(book, cover_href, print_pages or {}, page_list, typefaces))
    if page_list:
        printed = f"{meta_title(book)}（{label_in('印刷版', meta.language)}）"
        ebook.add_metadata(None, "meta", "printPageNumbers", {"property": "schema:accessibilityFeature"})
        ebook.add_metadata(None, "meta", printed, {"property": "pageBreakSource"})
        ebook.add_metadata("DC", "source", printed)
    spine = _content_items(ebook, book, documents, fonts, stylesheet, vertical)
    for index, (href, data) in enumerate(sorted(image_files.items())):
        media_type = "image/jpeg" if href.endswith(".jpg") else f"image/{href.rsplit('.', 1)[1]}"
        ebook.add_item(epub.EpubItem(uid=f"image-{index}", file_name=href, media_type=media_type, content=data))
    _navigation(ebook, book)
    ebook.spine = spine
    options = {
        "epub3_pages": False,
        "mtime": meta.modified.astimezone(dt.UTC),
        "landmark_title": label_in("导览", meta.language),
        "raise_exceptions": True,
        "epub2_guide": True,
        "spine_direction": True,
        "package_direction": False,  # dir="rtl" on the package would make the metadata right-to-left text
        "compresslevel": 0,  # _repack compresses every entry once
    }
    data = write_epub_bytes(
        ebook,
        options,
        lambda nav: _page_list_nav(nav, page_list, ebook.language),
        lambda ncx: _page_list_ncx(ncx, page_list, ebook.language),
    )
    return _repack(data, meta.modified)


APPLE_DISPLAY_OPTIONS = "epub_display_options.xml"
"""Without it Apple Books sets the text in its own font and ignores the embedded Noto Serif CJK."""


ZIP_LEVEL = 6
"""Deflate level of the EPUB's entries: level 9 takes half as long again for 0.1 % less (the fonts, most of
the book, are compressed outlines already)."""


def _repack(data: bytes, modified: dt.datetime) -> bytes:
    """Same entries, fixed timestamps and attributes, `mimetype` first and stored: identical input, identical
    bytes. Apple Books' display options are added beside container.xml (META-INF is outside the manifest)."""
    stamp = modified.astimezone(dt.UTC).timetuple()[:6]
    stamp = (max(stamp[0], 1980), *stamp[1:])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        names.sort(key=lambda name: name != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            # mimetype must be stored; pictures are compressed already, deflating them again only costs time
            stored = name == "mimetype" or name.endswith((".jpg", ".png"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=ZIP_LEVEL)
        info = zipfile.ZipInfo("META-INF/com.apple.ibooks.display-options.xml", date_time=stamp)
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(info, render_page(APPLE_DISPLAY_OPTIONS).encode("utf-8"), compresslevel=ZIP_LEVEL)
    return out.getvalue()
