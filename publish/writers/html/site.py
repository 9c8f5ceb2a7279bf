"""Write the HTML edition's pages, stylesheet, font subsets and pictures into one folder."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from publish.edition import label_in
from publish.model import Book, Chapter
from publish.writers import StagingFolder
from publish.writers.embedded_fonts import ALWAYS_IN_FONT, EpubFonts, document_texts, embedded_faces
from publish.writers.epub.symbols import symbols_in_document
from publish.writers.page_templates import render_page


def page_href(chapter: Chapter) -> str:
    return f"issue-{chapter.issue.number:04d}.html"


def _pages(book: Book) -> Iterator[tuple[str, str]]:
    """(file name, markup) of the index, each issue's page, and the colophon."""
    t = partial(label_in, language=book.meta.language)
    common = {"book": book, "lang": book.meta.language, "cjk_latin_gap": "space", "previous": None, "next": None}
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
    pages = list(_pages(book))
    texts = [ALWAYS_IN_FONT, book.meta.title]
    code_texts = [ALWAYS_IN_FONT]
    for _, markup in pages:
        text, in_code = document_texts(markup)
        texts.append(text)
        code_texts.append(in_code)
    embedded = embedded_faces(fonts, "".join(texts), "".join(code_texts))
    for file_name, markup in pages:
        staging.write_bytes(f"{folder}/{file_name}", symbols_in_document(markup, embedded.symbols).encode("utf-8"))
    staging.write_bytes(f"{folder}/styles/book.css", (stylesheet + embedded.stylesheet).encode("utf-8"))
    for _, file_name, content in embedded.files():
        staging.write_bytes(f"{folder}/{file_name}", content)
    for href, data in sorted(book.images.items()):
        staging.write_bytes(f"{folder}/{href}", data)
