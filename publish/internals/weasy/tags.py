"""A lighter structure tree for the tagged PDF. WeasyPrint 70 gives every piece of text drawn (each text box:
a line's piece of a paragraph, each Latin run the typography wraps) a `Span` structure element of its own,
holding one marked-content id, and every `<span>` another around it: in the 52-issue bench book, 36,896 of the
tree's 80,000 objects. A `Span` with no attribute says nothing to a reader of the tree (it is the generic
inline element): its content is as well held by its parent, and that is how other producers write text in
a paragraph — the marked-content ids in the paragraph's /K. Dropping them halves the objects each part writes
and the merge copies, joins and saves, and the tree reads the same text in the same order.

A `Span` that holds a link's annotation (WeasyPrint tags some links so; merge.py names them links) or has an
attribute (/A, /Alt, /ActualText, /Lang, …) is kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pydyf
from weasyprint import pdf as weasy_pdf

PLAIN_SPAN_KEYS = frozenset({"Type", "S", "K", "P", "Pg"})
"""A `Span` with only these keys carries nothing but its content."""


def _number(reference: Any) -> int | None:
    """The object number of a pydyf reference (b'12 0 R'), None for anything else."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return int(reference.split()[0])
    return None


def flatten_plain_spans(pdf: pydyf.PDF) -> int:
    """Move each plain `Span`'s content into its parent, in its place, and free the `Span`; the parent tree's
    entries follow. Returns how many were dropped."""
    objects = pdf.objects
    root_number = _number(pdf.catalog.get("StructTreeRoot"))
    if root_number is None:
        return 0
    root = objects[root_number]
    moved: dict[int, bytes] = {}
    """A dropped Span's number → the reference of the element that holds its content now."""

    def plain_span(kid: Any, page: Any) -> pydyf.Dictionary | None:
        number = _number(kid)
        found = objects[number] if number is not None else None
        if not isinstance(found, pydyf.Dictionary) or found.get("S") != "/Span" or found.keys() - PLAIN_SPAN_KEYS:
            return None
        if found.get("Pg") != page:  # an MCID in /K counts on its holder's page
            return None
        return found

    def flatten(element: pydyf.Dictionary) -> None:
        kids = element.get("K")
        if not isinstance(kids, list):
            return
        kept: list[Any] = []
        for kid in kids:
            span = plain_span(kid, element.get("Pg"))
            if span is None:
                number = _number(kid)
                if number is not None and isinstance(objects[number], pydyf.Dictionary):
                    flatten(objects[number])
                kept.append(kid)
                continue
            flatten(span)
            if any(_holds_annotation(objects, inner) for inner in span["K"]):
                kept.append(kid)
                continue
            for inner in span["K"]:
                number = _number(inner)
                if number is not None:
                    objects[number]["P"] = element.reference
                kept.append(inner)
            moved[span.number] = element.reference
            span.free = "f"
        element["K"] = pydyf.Array(kept)

    for top in root.get("K", []):
        number = _number(top)
        if number is not None:
            flatten(objects[number])
    if moved:
        _follow_in_parent_tree(objects, root, moved)
    return len(moved)


def _holds_annotation(objects: list, kid: Any) -> bool:
    number = _number(kid)
    return number is not None and isinstance(objects[number], dict) and objects[number].get("Type") == "/OBJR"


def _follow_in_parent_tree(objects: list, root: pydyf.Dictionary, moved: dict[int, bytes]) -> None:
    """Each page's MCID → element array, and each annotation's element, pointed at the element that holds the
    content now (a Span inside a dropped Span moved twice)."""

    def final(reference: Any) -> Any:
        number = _number(reference)
        while number is not None and number in moved:
            reference = moved[number]
            number = _number(reference)
        return reference

    mapping = objects[_number(root["ParentTree"])]
    numbers = mapping["Nums"]
    for index in range(1, len(numbers), 2):
        value = numbers[index]
        if isinstance(value, list):
            numbers[index] = pydyf.Array(final(reference) for reference in value)
        else:
            numbers[index] = final(value)


@contextmanager
def plain_spans_flattened() -> Iterator[None]:
    """While entered, a tagged PDF's structure tree is written without its plain `Span` elements."""
    original = weasy_pdf.add_tags

    def add_tags(pdf: pydyf.PDF, *args: object, **kwargs: object) -> None:
        original(pdf, *args, **kwargs)
        flatten_plain_spans(pdf)

    weasy_pdf.add_tags = add_tags
    try:
        yield
    finally:
        weasy_pdf.add_tags = original
