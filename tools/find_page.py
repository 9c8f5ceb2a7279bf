"""The number (from 1) of the first page of a PDF whose text holds a phrase:
`python -m tools.find_page BOOK.pdf 本期链接`. For `make pictures`, which renders such a page without knowing
where the layout put it."""

from __future__ import annotations

import sys

import pypdfium2 as pdfium


def first_page_with(path: str, phrase: str) -> int:
    document = pdfium.PdfDocument(path)
    for index in range(len(document)):
        if phrase in document[index].get_textpage().get_text_range():
            return index + 1
    raise SystemExit(f"{path}: no page holds {phrase!r}")


if __name__ == "__main__":
    print(first_page_with(sys.argv[1], sys.argv[2]))
