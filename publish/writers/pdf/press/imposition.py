"""Impose trim pages two-up for a saddle-stitched booklet that a home printer prints duplex."""

from __future__ import annotations

import io

import pikepdf


def saddle_stitch_order(pages: int) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers (1-based; None is a blank) for each sheet side in printing order: sheet 1
    front, sheet 1 back, sheet 2 front, …  Padded to a multiple of four. Printed duplex, flipped on the short
    edge, folded and nested, the sheets read 1, 2, 3, … in order."""
    padded = -(-pages // 4) * 4
    sides: list[tuple[int | None, int | None]] = []
    for sheet in range(padded // 4):
        low, high = 2 * sheet + 1, padded - 2 * sheet
        sides.append((high, low))  # front: the last page on the left, the first on the right
        sides.append((low + 1, high - 1))  # back
    return [tuple(p if p is not None and p <= pages else None for p in side) for side in sides]  # type: ignore[misc]


def signature_order(pages: int, signature: int | None) -> list[tuple[int | None, int | None]]:
    """The same, for a thick book split into signatures of `signature` pages (a multiple of 4) each."""
    if not signature or signature >= pages:
        return saddle_stitch_order(pages)
    sides: list[tuple[int | None, int | None]] = []
    for start in range(0, pages, signature):
        count = min(signature, pages - start)
        for left, right in saddle_stitch_order(count):
            sides.append((left + start if left else None, right + start if right else None))
    return sides


def impose_booklet(pdf: bytes, signature: int | None = None) -> bytes:
    """Each sheet side twice as wide as a trim page, with the pages of `saddle_stitch_order` on it: each
    page drawn once as a form, placed on its sheet side by the page's own box (pikepdf, on qpdf)."""
    with pikepdf.open(io.BytesIO(pdf)) as book, pikepdf.new() as sheets:
        box = pikepdf.Rectangle(book.pages[0].mediabox)
        width, height = box.width, box.height
        forms: dict[int, pikepdf.Object] = {}
        for left, right in signature_order(len(book.pages), signature):
            sheet = sheets.add_blank_page(page_size=(2 * width, height))
            for number, offset in ((left, 0.0), (right, width)):
                if number is None:
                    continue
                if number not in forms:
                    forms[number] = sheets.copy_foreign(book.pages[number - 1].as_form_xobject())
                sheet.add_overlay(forms[number], pikepdf.Rectangle(offset, 0, offset + width, height))
        out = io.BytesIO()
        sheets.save(
            out,
            deterministic_id=True,
            min_version=book.pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return out.getvalue()
