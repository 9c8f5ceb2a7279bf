"""Write the HTML edition's pages, stylesheet, font subsets and pictures into one folder."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from publish.edition import label_in
from publish.model import Book, Chapter
from publish.writers import StagingFolder
from publish.writers.embedded_fonts import (
    ALWAYS_IN_FONT,
    READING_ROLES,
    EpubFonts,
    document_texts,
    embedded_faces,
)
from publish.writers.epub.symbols import symbols_in_document
from publish.writers.look import RoleTexts
from publish.writers.page_templates import render_page


def page_href(chapter: Chapter) -> str:
    return f"issue-{chapter.issue.number:04d}.html"


def _pages(book: Book, typefaces: list[tuple[str, str, str]]) -> Iterator[tuple[str, str]]:
    """(file name, markup) of the index, each issue's page, and the colophon."""
    t = partial(label_in, language=book.meta.language)
    common = {
        "book": book,
        "lang": book.meta.language,
        "cjk_latin_gap": "space",
        "previous": None,
        "next": None,
        "typefaces": typefaces,
    }
    yield (
        "index.html",
        render_page("html_index.html", title=book.meta.title, body_class="index-page", href=page_href, **common),
    )
    chapters = book.chapters
    for index, chapter in enumerate(chapters):
        yield (
            page_href(chapter),
            render_page(
                "html_issue.html",
                title=chapter.issue.label,
                body_class="chapter",
                chapter=chapter,
                **{
                    **common,
                    "lang": chapter.issue.lang,
                    "previous": page_href(chapters[index - 1]) if index > 0 else None,
                    "next": page_href(chapters[index + 1]) if index + 1 < len(chapters) else None,
                },
            ),
        )
    yield "colophon.html", render_page("html_colophon.html", title=t("版权信息"), body_class="colophon-page", **common)


def write_site(book: Book, fonts: EpubFonts, stylesheet: str, staging: StagingFolder, folder: str) -> None:
    """Every file of the site under `folder` in the writer's staging folder; pages at its top, so that
    styles/book.css, fonts/ (named `../fonts/` by the stylesheet) and images/ are where the EPUB has them."""
    look = fonts.look
    pages = list(_pages(book, look.colophon_faces(READING_ROLES if look.chosen("sans") else READING_ROLES[:3])))
    texts = [RoleTexts(ALWAYS_IN_FONT + book.meta.title, ALWAYS_IN_FONT, ALWAYS_IN_FONT, ALWAYS_IN_FONT)]
    texts += [document_texts(markup) for _, markup in pages]
    embedded = embedded_faces(fonts, RoleTexts.joined(texts))
    for file_name, markup in pages:
        staging.write_bytes(f"{folder}/{file_name}", symbols_in_document(markup, embedded.symbols).encode("utf-8"))
    staging.write_bytes(f"{folder}/styles/book.css", (stylesheet + embedded.stylesheet).encode("utf-8"))
    for _, file_name, content in embedded.files():
        staging.write_bytes(f"{folder}/{file_name}", content)
    for href, data in sorted(book.images.items()):
        staging.write_bytes(f"{folder}/{href}", data)
