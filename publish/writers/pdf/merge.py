"""Join the separately laid-out parts of the PDF into one book (pikepdf, on qpdf).

The parts arrive as PDFs: the front matter, each issue, and a folio template. This stage puts their pages
in order, draws each body page's folio in the template's place and style, and rebuilds what spans the
whole book: the named destinations that links point at, the outline, the page labels, one program for
each shared font (the parts hold placeholders: see internals/weasy/fonts.py), for the reading PDF one
structure tree (the parts are tagged PDFs: their trees joined in page order, the parent tree renumbered,
what the merge draws marked as artifacts), and for the press one CMYK profile instead of one per part.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, OutlineItem

from publish.errors import InternalError
from publish.internals.weasy.fonts import PLACEHOLDER_FONT_BYTES
from publish.writers.pdf.page_plan import PagePlan, RunningHead


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


FOLIO_TEMPLATE = 12345678901
"""The number the folio template's first page prints, and its contents sample: every digit, so that its font
holds them all. The second page prints the next number, 12345678902, which holds every digit too (with
1234567890 it printed 1234567891, and a verso's folio 10 came out as 11)."""


@dataclass(frozen=True)
class _NumberStyle:
    """A page of the folio template, taken apart so that any number can be drawn in its style: the page's
    drawing operations, which of them shows the number and which places it, each digit's glyph code and
    advance, and where the template's number was set."""

    operations: list[pikepdf.ContentStreamInstruction]
    show: int
    place: int
    codes: dict[str, bytes]
    advances: dict[bytes, float]
    centre: float
    bbox: Array
    resources: Dictionary

    def width(self, number: int) -> float:
        return sum(self.advances[self.codes[digit]] for digit in str(number))

    def drawing(self, number: int, left: float, baseline: float | None = None) -> list:
        """The template's operations, showing `number` from `left` (and on `baseline`, if given)."""
        operations = list(self.operations)
        codes = b"".join(self.codes[digit] for digit in str(number))
        operations[self.show] = pikepdf.ContentStreamInstruction([pikepdf.String(codes)], Operator("Tj"))
        place = list(operations[self.place].operands)
        place[4] = left
        if baseline is not None:
            place[5] = baseline
        operations[self.place] = pikepdf.ContentStreamInstruction(place, Operator("Tm"))
        # WeasyPrint's page stream starts by flipping the axes outside any q/Q: keep each drawing's own
        return [_SAVE, *operations, _RESTORE]


_SAVE = pikepdf.ContentStreamInstruction([], Operator("q"))
_RESTORE = pikepdf.ContentStreamInstruction([], Operator("Q"))


def _advances(font: Dictionary, size: float, codes: Sequence[bytes]) -> dict[bytes, float]:
    """The advance in text space of each glyph code (a two-byte CID), from a CID font's /W array."""
    descendant = font.DescendantFonts[0]
    default = float(descendant.get("/DW", 1000))
    widths: dict[int, float] = {}
    entries = list(descendant.get("/W", Array()))
    index = 0
    while index < len(entries):
        first = int(entries[index])
        if isinstance(entries[index + 1], Array):
            for offset, width in enumerate(entries[index + 1]):
                widths[first + offset] = float(width)
            index += 2
        else:
            for cid in range(first, int(entries[index + 1]) + 1):
                widths[cid] = float(entries[index + 2])
            index += 3
    return {code: widths.get(int.from_bytes(code, "big"), default) * size / 1000 for code in codes}


def _number_style(book: pikepdf.Pdf, page: pikepdf.Page, number: int) -> _NumberStyle:
    """Take a template page apart; it must show its number as one text string in a CID font
    (Identity-H), as WeasyPrint draws it, or the merge stops rather than print wrong numbers."""
    operations = list(pikepdf.parse_content_stream(page))
    shows = [i for i, op in enumerate(operations) if str(op.operator) in ("TJ", "Tj")]
    places = [i for i, op in enumerate(operations) if str(op.operator) == "Tm"]
    fonts = [op for op in operations if str(op.operator) == "Tf"]
    if len(shows) != 1 or len(places) != 1 or len(fonts) != 1 or not places[0] < shows[0]:
        raise InternalError("a page of the folio template is not one line of text")
    name, size = fonts[0].operands[0], float(fonts[0].operands[1])
    font = page.Resources.Font[name]
    if font.get("/Encoding") != Name("/Identity-H"):
        raise InternalError("the folio template's font is not a CID font")
    shown = operations[shows[0]].operands[0]
    parts = list(shown) if isinstance(shown, Array) else [shown]
    data = b"".join(bytes(part) for part in parts if isinstance(part, pikepdf.String))
    codes = [data[i : i + 2] for i in range(0, len(data), 2)]
    digits = str(number)
    if len(codes) != len(digits):
        raise InternalError("the folio template does not show one glyph per digit")
    advances = _advances(font, size, codes)
    adjustment = sum(-float(part) * size / 1000 for part in parts if not isinstance(part, pikepdf.String))
    width = sum(advances[code] for code in codes) + adjustment
    left = float(operations[places[0]].operands[4])
    return _NumberStyle(
        operations=operations,
        show=shows[0],
        place=places[0],
        codes=dict(zip(digits, codes, strict=True)),
        advances=advances,
        centre=left + width / 2,
        bbox=Array(page.trimbox),
        resources=book.copy_foreign(page.Resources),
    )


def _form(book: pikepdf.Pdf, style: _NumberStyle, operations: list) -> pikepdf.Stream:
    """Operations drawn with the template page's resources, as a form XObject the size of its trim."""
    form = pikepdf.Stream(book, pikepdf.unparse_content_stream(operations))
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = style.bbox
    form.Resources = style.resources
    return form


class _Overlays:
    """Forms drawn over pages, each under its name in resources of the page's own (a part's pages share one
    resource dictionary; pikepdf's add_overlay would name the forms at random). The streams that save the
    graphics state before the page and draw the forms after it are the same bytes on most pages: one
    object each, shared, instead of two new objects per page."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.book = book
        self.streams: dict[bytes, pikepdf.Stream] = {}
        self.artifacts = "/StructTreeRoot" in book.Root
        """In a tagged book the forms are artifacts (folios, running heads, contents numbers): not read aloud."""
        self.pending: dict[int, dict[Name, pikepdf.Object]] = {}

    def add(self, page: int, name: Name, form: pikepdf.Object) -> None:
        self.pending.setdefault(page, {})[name] = form

    def _stream(self, data: bytes) -> pikepdf.Stream:
        if data not in self.streams:
            self.streams[data] = pikepdf.Stream(self.book, data)
        return self.streams[data]

    def draw(self) -> None:
        for index, forms in self.pending.items():
            page = self.book.pages[index]
            resources = Dictionary(page.obj.get("/Resources", Dictionary()))
            objects = Dictionary(resources.get("/XObject", Dictionary()))
            trim = pikepdf.Rectangle(page.trimbox)
            placements = []
            for name, form in forms.items():
                objects[name] = form
                placements.append(page.calc_form_xobject_placement(form, name, trim))
            resources[Name.XObject] = objects
            page.obj.Resources = resources
            page.contents_add(self._stream(b"q\n"), prepend=True)
            drawn = b"".join(placements)
            if self.artifacts:
                drawn = b"/Artifact BMC\n" + drawn + b"EMC\n"
            page.contents_add(self._stream(b"Q\n" + drawn), prepend=False)


def share_icc_profiles(book: pikepdf.Pdf) -> None:
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
                    raise InternalError(f"no font program for {font.BaseFont} in the merged PDF")
                if tag not in streams:
                    stream = pikepdf.Stream(book, programs[tag])
                    if key == "/FontFile3":
                        stream.Subtype = Name.OpenType
                    else:
                        stream.Length1 = len(programs[tag])
                    streams[tag] = stream
                descriptor[key] = streams[tag]


PARTS_HELD_OPEN = 200
"""After this many parts the book so far is written out and read back, and the parts closed: QPDF keeps each
part it copies pages from in memory until the book is saved (about 230 KB a page), so a 520-issue book
held 1.2 GB at once; read back, the merged pages are read from the written copy as they are needed.
Writing back costs a save of the book so far (520 parts merged: 10 s → 19 s, peak 947 → 647 MB, in a
harness; every 64 parts: 26 s, 599 MB), so books of up to 200 issues, four years of a weekly, never do."""


def _written_and_read_back(book: pikepdf.Pdf, parts: list[pikepdf.Pdf]) -> pikepdf.Pdf:
    """The book as written so far, opened again, and the parts its pages came from closed."""
    copy = io.BytesIO()
    book.save(copy, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    book.close()
    for part in parts:
        part.close()
    parts.clear()
    return pikepdf.open(copy)


def _document_element(root: Dictionary) -> Dictionary:
    """The structure tree's top element (WeasyPrint's `Document`), under the StructTreeRoot."""
    kids = root.K
    return kids[0] if isinstance(kids, Array) else kids


def _next_key(root: Dictionary) -> int:
    """The first key the parent tree does not use: as the last join recorded it, else counted once."""
    if "/ParentTreeNextKey" in root:
        return int(root.ParentTreeNextKey)
    numbers = root.ParentTree.Nums
    return max((int(numbers[index]) for index in range(0, len(numbers), 2)), default=-1) + 1


def _join_structure(book: pikepdf.Pdf, part: pikepdf.Pdf, first_page: int) -> None:
    """The part's structure under the book's `Document`, after what is there (the reading order is the
    page order); its pages' and links' keys into the parent tree moved past the book's, the tree's entries
    with them. Struct elements point at the pages the part's pages were copied to (the same copier)."""
    root, theirs = book.Root.get("/StructTreeRoot"), part.Root.get("/StructTreeRoot")
    if root is None or theirs is None:
        return
    offset = _next_key(root)
    for page in book.pages[first_page : first_page + len(part.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    document = _document_element(root)
    if not isinstance(document.get("/K"), Array):
        document.K = Array([document.K] if "/K" in document else [])
    kids = _copied(book, part, _document_element(theirs)).get("/K", Array())
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary):
            kid.P = document
        document.K.append(kid)
    numbers = root.ParentTree.Nums
    their_numbers = _copied(book, part, theirs.ParentTree).Nums
    for index in range(0, len(their_numbers), 2):
        numbers.append(int(their_numbers[index]) + offset)
        numbers.append(their_numbers[index + 1])
    root.ParentTreeNextKey = offset + max(
        (int(their_numbers[index]) + 1 for index in range(0, len(their_numbers), 2)), default=0
    )


def with_margin_boxes_as_artifacts(part: bytes) -> bytes:
    """The front matter's PDF as laid out, its margin-box text re-marked as artifacts (see below): done once,
    when the part is laid out (and cached with it), not at every merge."""
    with pikepdf.open(io.BytesIO(part)) as pdf:
        _margin_boxes_as_artifacts(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version=pdf.pdf_version)
        return out.getvalue()


def _parent_tree(book: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    """The tagged book's parent tree by key (a page's marked content, a link's element); empty if untagged."""
    root = book.Root.get("/StructTreeRoot")
    if root is None:
        return {}
    numbers = root.ParentTree.Nums
    return {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}


def _margin_boxes_as_artifacts(book: pikepdf.Pdf) -> None:
    """WeasyPrint 70 gives the text of page-margin boxes (the front matter's roman folios) marked-content ids
    whose elements it leaves out of the tree (an Artifact element needs PDF 2.0): content neither tagged nor an
    artifact, which a checker refuses and a screen reader may skip or read out of place. Such content is
    marked an artifact instead, on each page (only the front matter has margin boxes)."""
    by_key = _parent_tree(book)
    attached: dict[tuple[int, int], bool] = {}
    for page in book.pages:
        marked = by_key.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(marked, Array):
            continue
        operations = list(pikepdf.parse_content_stream(page))
        changed = False
        for index, (operands, operator) in enumerate(operations):
            if str(operator) != "BDC" or not isinstance(operands[1], Dictionary) or "/MCID" not in operands[1]:
                continue
            mcid = int(operands[1].MCID)
            if mcid < len(marked) and _in_tree(marked[mcid], attached):
                continue
            operations[index] = pikepdf.ContentStreamInstruction([Name.Artifact], Operator("BMC"))
            marked[mcid] = None
            changed = True
        if changed:
            page.obj.Contents = book.make_stream(pikepdf.unparse_content_stream(operations))


def _in_tree(element: pikepdf.Object, attached: dict[tuple[int, int], bool]) -> bool:
    """Whether the structure element hangs from the StructTreeRoot: each parent up the way lists its child.
    `attached` remembers the answer for every element met, and each parent's kids as a set, for the next."""
    path: list[tuple[int, int]] = []
    answer = False
    for _ in range(256):
        if not isinstance(element, Dictionary) or not element.is_indirect:
            break
        if element.objgen in attached:
            answer = attached[element.objgen]
            break
        path.append(element.objgen)
        parent = element.get("/P")
        if not isinstance(parent, Dictionary) or not parent.is_indirect:
            break
        kids = parent.get("/K")
        listed = kids if isinstance(kids, Array) else [kids]
        if not any(isinstance(kid, Dictionary) and kid.is_indirect and kid.objgen == element.objgen for kid in listed):
            break
        if parent.get("/Type") == Name.StructTreeRoot:
            answer = True
            break
        element = parent
    for objgen in path:
        attached[objgen] = answer
    return answer


def _links_tagged_as_links(book: pikepdf.Pdf) -> None:
    """WeasyPrint 70 tags a link whose box holds other inline boxes (a contents entry, a link's number, a
    linked picture) as the `Span` or `NonStruct` of its element, with the annotation's reference inside: a
    screen reader then does not announce it as a link. The element an annotation's key names is its link."""
    by_key = _parent_tree(book)
    for page in book.pages:
        for annotation in page.obj.get("/Annots", Array()):
            if annotation.get("/Subtype") != Name.Link or "/StructParent" not in annotation:
                continue
            element = by_key.get(int(annotation.StructParent))
            if isinstance(element, Dictionary) and element.get("/S") in (Name.Span, Name.NonStruct):
                element.S = Name.Link


def _copied(book: pikepdf.Pdf, part: pikepdf.Pdf, found: pikepdf.Object) -> pikepdf.Object:
    """An object of the part copied into the book (what it points at too, pages mapped to their copies)."""
    return book.copy_foreign(found if found.is_indirect else part.make_indirect(found))


def _joined(plan: PagePlan) -> tuple[pikepdf.Pdf, pikepdf.Pdf, int, list[_Bookmark], dict, list[pikepdf.Pdf]]:
    """The front matter's pages, then each body part's, each part followed by the template's empty last page
    if it has an odd number of pages; with the book's bookmarks and named destinations gathered."""
    book = pikepdf.open(io.BytesIO(plan.front))
    front_pages = len(book.pages)
    marks = _bookmarks(book, 0)
    destinations = dict(_named_destinations(book))
    front_destinations = {name: _page_index(book)[dest[0].objgen] for name, dest in destinations.items()}
    resolved: dict[str, tuple[int, float, float]] = {
        name: (front_destinations[name], float(dest[2]), float(dest[3])) for name, dest in destinations.items()
    }
    template = pikepdf.open(io.BytesIO(plan.folio_template))
    blank = template.pages[len(template.pages) - 1]
    if front_pages % 2:
        book.pages.append(blank)
        front_pages += 1
    opened: list[pikepdf.Pdf] = []
    for body in plan.bodies:
        if len(opened) == PARTS_HELD_OPEN:
            book = _written_and_read_back(book, opened)
        part = pikepdf.open(io.BytesIO(body))
        opened.append(part)
        offset = len(book.pages)
        marks.extend(_bookmarks(part, offset))
        pages = _page_index(part)
        for name, dest in _named_destinations(part):  # an issue's own anchor wins over the contents' stand-in
            resolved[name] = (pages[dest[0].objgen] + offset, float(dest[2]), float(dest[3]))
        with warnings.catch_warnings():  # named destinations are rebuilt below, for the whole book
            warnings.filterwarnings("ignore", message="Copying pages from another Pdf")
            book.pages.extend(part.pages)
        _join_structure(book, part, offset)
        if len(part.pages) % 2:  # the next part opens on a recto
            book.pages.append(blank)
    if len(book.pages) != front_pages + plan.body_pages:
        raise InternalError("the merged parts do not have the pages the plan counts")
    return book, template, front_pages, marks, resolved, opened


def _draw_numbers_and_heads(book: pikepdf.Pdf, template: pikepdf.Pdf, plan: PagePlan, front_pages: int) -> None:
    """Each planned page's folio in the place and style of the template's recto (page 1) or verso (page 2),
    its running head (the book's: the template's page 4; issue k's: its page 5 + k), and each contents number
    in the style of its page 3."""
    overlays = _Overlays(book)
    recto, verso, listed = (
        _number_style(book, page, number)
        for page, number in zip(template.pages[:3], (FOLIO_TEMPLATE, FOLIO_TEMPLATE + 1, FOLIO_TEMPLATE), strict=True)
    )
    head_forms: dict[tuple[RunningHead, int], pikepdf.Object] = {}
    for index, planned in enumerate(plan.pages):
        if planned.folio is not None:
            style = (recto, verso)[index % 2]
            drawing = style.drawing(planned.folio, style.centre - style.width(planned.folio) / 2)
            overlays.add(front_pages + index, Name.Folio, _form(book, style, drawing))
        if planned.running_head is not None:
            issue = planned.issue if planned.running_head is RunningHead.ISSUE else -1
            key = (planned.running_head, issue)
            if key not in head_forms:
                page = template.pages[3 if issue < 0 else 4 + issue]
                head_forms[key] = book.copy_foreign(page.as_form_xobject())
            overlays.add(front_pages + index, Name.Head, head_forms[key])
    by_page: dict[int, list] = {}
    for entry in plan.contents_numbers:
        drawing = listed.drawing(entry.number, entry.right - listed.width(entry.number), entry.baseline)
        by_page.setdefault(entry.page, []).extend(drawing)
    for page, drawing in sorted(by_page.items()):
        overlays.add(page, Name.Numbers, _form(book, listed, drawing))
    overlays.draw()


def _book_catalogue(book: pikepdf.Pdf, marks: list[_Bookmark], resolved: dict, front_pages: int) -> None:
    """What spans the whole book: named destinations, the outline, page labels (roman, then arabic)."""
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


def merge_parts(plan: PagePlan, *, press: bool, font_programs: Mapping[str, bytes]) -> bytes:
    """One PDF, following the plan: the parts joined, folios, running heads and contents numbers drawn,
    the book's destinations, outline and page labels, one program per shared font, and for the press one
    CMYK profile. The front matter's catalogue (metadata, output intent) becomes the book's."""
    book, template, front_pages, marks, resolved, opened = _joined(plan)
    _draw_numbers_and_heads(book, template, plan, front_pages)
    _book_catalogue(book, marks, resolved, front_pages)
    _links_tagged_as_links(book)
    _install_shared_fonts(book, font_programs)
    if press:
        share_icc_profiles(book)
    out = io.BytesIO()
    book.save(
        out,
        deterministic_id=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        min_version=book.pdf_version,
        # A tagged book holds a structure element per paragraph, line piece and link: as loose objects they
        # doubled the file (60 corpus issues: 6.8 → 14.6 MB); packed in compressed object streams they do not.
        object_stream_mode=(
            pikepdf.ObjectStreamMode.generate if "/StructTreeRoot" in book.Root else pikepdf.ObjectStreamMode.preserve
        ),
    )
    for part in [*opened, template]:
        part.close()
    return out.getvalue()
