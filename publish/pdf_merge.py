"""Join the separately laid-out parts of the PDF into one book (pikepdf, on qpdf).

The parts arrive as PDFs: the front matter, each issue, and the folio layers. This stage puts their pages
in order, draws the body folios over the body pages, and rebuilds what spans the whole book: the named
destinations that links point at, the outline, the page labels, one program for each shared font
(the parts hold placeholders: see pdf_layout.py), and for the press one CMYK profile instead of one per part.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

from .errors import PublishError
from .pdf_layout import PLACEHOLDER_FONT_BYTES


@dataclass
class _Bookmark:
    title: str
    page: int
    """Index into the book's pages."""
    left: float
    top: float
    children: list[_Bookmark]


def _page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def _named_destinations(pdf: pikepdf.Pdf) -> list[tuple[str, Array]]:
    """The name tree /Dests, flattened: WeasyPrint writes one anchor per element id."""
    found: list[tuple[str, Array]] = []

    def walk(node: Dictionary) -> None:
        names = node.get("/Names")
        if names is not None:
            for index in range(0, len(names) - 1, 2):
                found.append((str(names[index]), names[index + 1]))
        for kid in node.get("/Kids", []):
            walk(kid)

    tree = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    if tree is not None:
        walk(tree)
    return found


def _bookmarks(pdf: pikepdf.Pdf, offset: int) -> list[_Bookmark]:
    pages = _page_index(pdf)

    def convert(item: OutlineItem) -> _Bookmark | None:
        destination = item.destination
        if not isinstance(destination, Array) or len(destination) < 4:
            return None
        index = pages.get(destination[0].objgen)
        if index is None:
            return None
        children = [c for c in (convert(child) for child in item.children) if c is not None]
        return _Bookmark(str(item.title), index + offset, float(destination[2]), float(destination[3]), children)

    with pdf.open_outline() as outline:
        return [b for b in (convert(item) for item in outline.root) if b is not None]


def _destination(book: pikepdf.Pdf, page: int, left: float, top: float) -> Array:
    return Array([book.pages[page].obj, Name.XYZ, left, top, 0])


def _outline_items(book: pikepdf.Pdf, marks: list[_Bookmark]) -> list[OutlineItem]:
    items = []
    for mark in marks:
        item = OutlineItem(mark.title, _destination(book, mark.page, mark.left, mark.top))
        item.children.extend(_outline_items(book, mark.children))
        items.append(item)
    return items


def _draw_over(book: pikepdf.Pdf, page: pikepdf.Page, layer: pikepdf.Page) -> None:
    """Draw a layer page over a page, as a form named /Folio in resources of the page's own (a part's pages
    share one resource dictionary); pikepdf's add_overlay would name the form at random."""
    form = book.copy_foreign(layer.as_form_xobject())
    resources = Dictionary(page.obj.get("/Resources", Dictionary()))
    forms = Dictionary(resources.get("/XObject", Dictionary()))
    forms[Name.Folio] = form
    resources[Name.XObject] = forms
    page.obj.Resources = resources
    placement = page.calc_form_xobject_placement(form, Name.Folio, pikepdf.Rectangle(page.trimbox))
    page.contents_add(pikepdf.Stream(book, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(book, b"Q\n" + placement), prepend=False)


def _share_icc_profiles(book: pikepdf.Pdf) -> None:
    """WeasyPrint's PDF/X output repeats the CMYK profile for every page and part: keep one copy."""
    shared: dict[bytes, pikepdf.Object] = {}
    for page in book.pages:
        spaces = page.obj.get("/Resources", Dictionary()).get("/ColorSpace")
        if spaces is None:
            continue
        for key in list(spaces.keys()):
            space = spaces[key]
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                data = space[1].read_raw_bytes()
                keep = shared.setdefault(data, space[1])
                if keep.objgen != space[1].objgen:
                    spaces[key] = Array([Name.ICCBased, keep])


def _font_dictionaries(resources: Dictionary, seen: set[tuple[int, int]]) -> Iterator[Dictionary]:
    """The fonts of a resource dictionary and of the forms it draws, each once."""
    for font in resources.get("/Font", Dictionary()).values():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for form in resources.get("/XObject", Dictionary()).values():
        inner = form.get("/Resources") if form.objgen not in seen else None
        seen.add(form.objgen)
        if inner is not None:
            yield from _font_dictionaries(inner, seen)


def _install_shared_fonts(book: pikepdf.Pdf, programs: Mapping[str, bytes]) -> None:
    """Point every font whose program is a placeholder at the book's one program for it, by subset tag."""
    streams: dict[str, pikepdf.Stream] = {}
    seen: set[tuple[int, int]] = set()
    for page in book.pages:
        for font in _font_dictionaries(page.obj.get("/Resources", Dictionary()), seen):
            descendants = font.get("/DescendantFonts")
            if descendants is None:
                continue
            descriptor = descendants[0].get("/FontDescriptor")
            for key in ("/FontFile3", "/FontFile2"):
                program = descriptor.get(key) if descriptor is not None else None
                if program is None or len(program.read_bytes()) > PLACEHOLDER_FONT_BYTES:
                    continue
                tag = str(font.BaseFont).lstrip("/").split("+", 1)[0]
                if tag not in programs:
                    raise PublishError(f"internal error: no font program for {font.BaseFont} in the merged PDF")
                if tag not in streams:
                    stream = pikepdf.Stream(book, programs[tag])
                    if key == "/FontFile3":
                        stream.Subtype = Name.OpenType
                    else:
                        stream.Length1 = len(programs[tag])
                    streams[tag] = stream
                descriptor[key] = streams[tag]


def merge_parts(
    front: bytes,
    bodies: Sequence[bytes],
    folio_layers: Sequence[bytes],
    has_folio: Sequence[bool],
    *,
    press: bool,
    font_programs: Mapping[str, bytes],
) -> bytes:
    """One PDF: the front matter's pages, then each body part's, with the folio layers' pages drawn over
    the body pages one for one where `has_folio` says so (not on blank pages). The front matter's
    catalogue (metadata, output intent) becomes the book's."""
    book = pikepdf.open(io.BytesIO(front))
    front_pages = len(book.pages)
    marks = _bookmarks(book, 0)
    destinations = dict(_named_destinations(book))
    front_destinations = {name: _page_index(book)[dest[0].objgen] for name, dest in destinations.items()}
    resolved: dict[str, tuple[int, float, float]] = {
        name: (front_destinations[name], float(dest[2]), float(dest[3])) for name, dest in destinations.items()
    }
    opened = []
    for body in bodies:
        part = pikepdf.open(io.BytesIO(body))
        opened.append(part)
        offset = len(book.pages)
        marks.extend(_bookmarks(part, offset))
        pages = _page_index(part)
        for name, dest in _named_destinations(part):  # an issue's own anchor wins over the contents' stand-in
            resolved[name] = (pages[dest[0].objgen] + offset, float(dest[2]), float(dest[3]))
        book.pages.extend(part.pages)

    body_page = 0
    for layer_bytes in folio_layers:
        layer = pikepdf.open(io.BytesIO(layer_bytes))
        opened.append(layer)
        for folio in layer.pages:
            if body_page < len(has_folio) and has_folio[body_page]:
                _draw_over(book, book.pages[front_pages + body_page], folio)
            body_page += 1

    book.Root.Names = Dictionary(
        Dests=Dictionary(
            Names=Array(
                [
                    item
                    for name in sorted(resolved)
                    for item in (pikepdf.String(name), _destination(book, *resolved[name]))
                ]
            )
        )
    )
    with book.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(_outline_items(book, marks))
    numbers = Array()
    if front_pages:
        numbers.extend([0, Dictionary(S=Name("/r"))])
    numbers.extend([front_pages, Dictionary(S=Name("/D"), St=1)])
    book.Root.PageLabels = Dictionary(Nums=numbers)
    _install_shared_fonts(book, font_programs)
    if press:
        _share_icc_profiles(book)
    out = io.BytesIO()
    book.save(
        out,
        deterministic_id=True,
        min_version=book.pdf_version,
        object_stream_mode=pikepdf.ObjectStreamMode.preserve,
    )
    for part in opened:
        part.close()
    return out.getvalue()
