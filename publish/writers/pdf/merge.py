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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, OutlineItem

from publish.errors import InternalError
from publish.internals.weasy.fonts import PLACEHOLDER_FONT_BYTES
from publish.writers.pdf.page_plan import PagePlan, PlannedPage, RunningHead, even


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


def part_bookmarks(pdf: pikepdf.Pdf, offset: int) -> list[_Bookmark]:
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


def _destination(pages: Sequence[pikepdf.Object], page: int, left: float, top: float) -> Array:
    """A destination on the book's page `page`, given the book's page objects (`book.pages[i]` looks the page
    up again each time: 6,000 destinations took a sixth of a second)."""
    return Array([pages[page], Name.XYZ, left, top, 0])


def _outline_items(pages: Sequence[pikepdf.Object], marks: list[_Bookmark]) -> list[OutlineItem]:
    items = []
    for mark in marks:
        item = OutlineItem(mark.title, _destination(pages, mark.page, mark.left, mark.top))
        item.children.extend(_outline_items(pages, mark.children))
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
        self.pending.clear()


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


class _SharedFonts:
    """The book's one program of each shared font, by subset tag: every font whose program is a placeholder
    points at it. Kept with the book, so that a part put in later (merge_in_place.py) points at the same
    streams, and a program that changed (the new part used other glyphs) is rewritten in its stream."""

    def __init__(self, book: pikepdf.Pdf, programs: Mapping[str, bytes]) -> None:
        self.book = book
        self.programs = dict(programs)
        self.streams: dict[str, pikepdf.Stream] = {}

    def install(self, pages: Iterable[pikepdf.Page]) -> None:
        seen: set[tuple[int, int]] = set()
        for page in pages:
            for font in _font_dictionaries(page.obj.get("/Resources", Dictionary()), seen):
                descendants = font.get("/DescendantFonts")
                if descendants is None:
                    continue
                descriptor = descendants[0].get("/FontDescriptor")
                for key in ("/FontFile3", "/FontFile2"):
                    program = descriptor.get(key) if descriptor is not None else None
                    if program is None or len(program.read_bytes()) > PLACEHOLDER_FONT_BYTES:
                        continue
                    descriptor[key] = self._stream(str(font.BaseFont).lstrip("/").split("+", 1)[0], key)

    def _stream(self, tag: str, key: str) -> pikepdf.Stream:
        if tag not in self.programs:
            raise InternalError(f"no font program for the font tagged {tag} in the merged PDF")
        if tag not in self.streams:
            stream = pikepdf.Stream(self.book, self.programs[tag])
            if key == "/FontFile3":
                stream.Subtype = Name.OpenType
            else:
                stream.Length1 = len(self.programs[tag])
            self.streams[tag] = stream
        return self.streams[tag]

    def update(self, programs: Mapping[str, bytes]) -> None:
        """The programs as they are now (a subset holds the glyphs of every part): the changed ones rewritten."""
        for tag, stream in self.streams.items():
            data = programs.get(tag)
            if data is not None and data != self.programs.get(tag):
                stream.write(data)
                if "/Length1" in stream:
                    stream.Length1 = len(data)
        self.programs = dict(programs)


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


def document_element(root: Dictionary) -> Dictionary:
    """The structure tree's top element (WeasyPrint's `Document`), under the StructTreeRoot."""
    kids = root.K
    return kids[0] if isinstance(kids, Array) else kids


def _next_key(root: Dictionary) -> int:
    """The first key the parent tree does not use: as the last join recorded it, else counted once."""
    if "/ParentTreeNextKey" in root:
        return int(root.ParentTreeNextKey)
    numbers = root.ParentTree.Nums
    return max((int(numbers[index]) for index in range(0, len(numbers), 2)), default=-1) + 1


@dataclass(frozen=True)
class StructureShare:
    """What a part added to the book's structure: elements under `Document`, entries of the parent tree, and
    the keys it used (its own count from 0, the book's from where the last part stopped)."""

    kids: int = 0
    entries: int = 0
    keys: int = 0


def _own_structure(pdf: pikepdf.Pdf) -> StructureShare:
    """The share of the structure a PDF holds itself (the front matter, before any part joins it)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return StructureShare()
    kids = document_element(root).get("/K")
    count = len(kids) if isinstance(kids, Array) else int(kids is not None)
    return StructureShare(kids=count, entries=len(root.ParentTree.Nums) // 2, keys=_next_key(root))


def join_structure(book: pikepdf.Pdf, part: pikepdf.Pdf, first_page: int) -> StructureShare:
    """The part's structure under the book's `Document`, after what is there (the reading order is the
    page order); its pages' and links' keys into the parent tree moved past the book's, the tree's entries
    with them. Struct elements point at the pages the part's pages were copied to (the same copier)."""
    root, theirs = book.Root.get("/StructTreeRoot"), part.Root.get("/StructTreeRoot")
    if root is None or theirs is None:
        return StructureShare()
    offset = _next_key(root)
    for page in book.pages[first_page : first_page + len(part.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    document = document_element(root)
    if not isinstance(document.get("/K"), Array):
        document.K = Array([document.K] if "/K" in document else [])
    kids = _copied(book, part, document_element(theirs)).get("/K", Array())
    kids = list(kids) if isinstance(kids, Array) else [kids]
    for kid in kids:
        if isinstance(kid, Dictionary):
            kid.P = document
        document.K.append(kid)
    numbers = root.ParentTree.Nums
    their_numbers = _copied(book, part, theirs.ParentTree).Nums
    for index in range(0, len(their_numbers), 2):
        numbers.append(int(their_numbers[index]) + offset)
        numbers.append(their_numbers[index + 1])
    keys = max((int(their_numbers[index]) + 1 for index in range(0, len(their_numbers), 2)), default=0)
    root.ParentTreeNextKey = offset + keys
    return StructureShare(kids=len(kids), entries=len(their_numbers) // 2, keys=keys)


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


def links_tagged_as_links(pages: Iterable[pikepdf.Page], by_key: Mapping[int, pikepdf.Object]) -> None:
    """WeasyPrint 70 tags a link whose box holds other inline boxes (a contents entry, a link's number, a
    linked picture) as the `Span` or `NonStruct` of its element, with the annotation's reference inside: a
    screen reader then does not announce it as a link. The element an annotation's key names is its link."""
    for page in pages:
        for annotation in page.obj.get("/Annots", Array()):
            if annotation.get("/Subtype") != Name.Link or "/StructParent" not in annotation:
                continue
            element = by_key.get(int(annotation.StructParent))
            if isinstance(element, Dictionary) and element.get("/S") in (Name.Span, Name.NonStruct):
                element.S = Name.Link


def _copied(book: pikepdf.Pdf, part: pikepdf.Pdf, found: pikepdf.Object) -> pikepdf.Object:
    """An object of the part copied into the book (what it points at too, pages mapped to their copies)."""
    return book.copy_foreign(found if found.is_indirect else part.make_indirect(found))


@dataclass
class JoinedPart:
    """A part as the merge put it in the book: its own pages (a blank verso follows an odd count), its
    bookmarks and named destinations (pages counted from its first), and its share of the structure."""

    data: bytes
    pages: int
    marks: list[_Bookmark]
    destinations: dict[str, tuple[int, float, float]]
    structure: StructureShare


def _shifted(marks: list[_Bookmark], offset: int) -> list[_Bookmark]:
    return [
        _Bookmark(mark.title, mark.page + offset, mark.left, mark.top, _shifted(mark.children, offset))
        for mark in marks
    ]


def part_destinations(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    pages = _page_index(pdf)
    return {name: (pages[dest[0].objgen], float(dest[2]), float(dest[3])) for name, dest in _named_destinations(pdf)}


class BookMerge:
    """The book being merged, and what a later update needs of it (merge_in_place.py): the parts as joined,
    the folio template, the drawn overlays and the shared font programs."""

    def __init__(self, plan: PagePlan, press: bool, font_programs: Mapping[str, bytes]) -> None:
        self.plan = plan
        self.press = press
        self.book = pikepdf.open(io.BytesIO(plan.front))
        self.front = JoinedPart(
            plan.front,
            len(self.book.pages),
            part_bookmarks(self.book, 0),
            part_destinations(self.book),
            _own_structure(self.book),
        )
        self.template = pikepdf.open(io.BytesIO(plan.folio_template))
        self.blank = self.template.pages[len(self.template.pages) - 1]
        if self.front.pages % 2:
            self.book.pages.append(self.blank)
        self.front_pages = even(self.front.pages)
        self.opened: list[pikepdf.Pdf] = []
        self.written_back = False
        """Whether the book was written out and read back on the way (PARTS_HELD_OPEN): no update then."""
        self.parts = [self._join(body) for body in plan.bodies]
        if len(self.book.pages) != self.front_pages + plan.body_pages:
            raise InternalError("the merged parts do not have the pages the plan counts")
        self.fonts = _SharedFonts(self.book, font_programs)
        self.overlays = _Overlays(self.book)
        recto, verso, listed = (
            _number_style(self.book, page, number)
            for page, number in zip(
                self.template.pages[:3], (FOLIO_TEMPLATE, FOLIO_TEMPLATE + 1, FOLIO_TEMPLATE), strict=True
            )
        )
        self.recto, self.verso, self.listed = recto, verso, listed
        self.head_forms: dict[tuple[RunningHead, int], pikepdf.Object] = {}
        for index, planned in enumerate(plan.pages):
            self.decorate(index, planned)
        for page, form in self.contents_forms(plan).items():
            self.overlays.add(page, Name.Numbers, form)
        self.overlays.draw()
        self.catalogue()
        links_tagged_as_links(self.book.pages, _parent_tree(self.book))
        self.fonts.install(self.book.pages)
        if press:
            share_icc_profiles(self.book)

    def _join(self, body: bytes) -> JoinedPart:
        """A part's pages after the book's, and its structure; a blank verso after an odd count of pages."""
        if len(self.opened) == PARTS_HELD_OPEN:
            self.book = _written_and_read_back(self.book, self.opened)
            self.written_back = True
        part = pikepdf.open(io.BytesIO(body))
        self.opened.append(part)
        offset = len(self.book.pages)
        joined = JoinedPart(body, len(part.pages), part_bookmarks(part, 0), part_destinations(part), StructureShare())
        with warnings.catch_warnings():  # named destinations are rebuilt for the whole book
            warnings.filterwarnings("ignore", message="Copying pages from another Pdf")
            self.book.pages.extend(part.pages)
        joined.structure = join_structure(self.book, part, offset)
        if len(part.pages) % 2:  # the next part opens on a recto
            self.book.pages.append(self.blank)
        return joined

    def folio_form(self, index: int, folio: int) -> pikepdf.Object:
        """The folio of the body's page `index`, in the recto's or the verso's place and style."""
        style = (self.recto, self.verso)[index % 2]
        return _form(self.book, style, style.drawing(folio, style.centre - style.width(folio) / 2))

    def decorate(self, index: int, planned: PlannedPage) -> None:
        """The body's page `index` gets its folio in the place and style of the template's recto (page 1) or
        verso (page 2) and its running head (the book's: the template's page 4; issue k's: its page 5 + k)."""
        if planned.folio is not None:
            self.overlays.add(self.front_pages + index, Name.Folio, self.folio_form(index, planned.folio))
        if planned.running_head is not None:
            issue = planned.issue if planned.running_head is RunningHead.ISSUE else -1
            key = (planned.running_head, issue)
            if key not in self.head_forms:
                page = self.template.pages[3 if issue < 0 else 4 + issue]
                self.head_forms[key] = self.book.copy_foreign(page.as_form_xobject())
            self.overlays.add(self.front_pages + index, Name.Head, self.head_forms[key])

    def contents_forms(self, plan: PagePlan) -> dict[int, pikepdf.Object]:
        """By front page, the form drawing its contents numbers in the style of the template's page 3."""
        by_page: dict[int, list] = {}
        for entry in plan.contents_numbers:
            drawing = self.listed.drawing(entry.number, entry.right - self.listed.width(entry.number), entry.baseline)
            by_page.setdefault(entry.page, []).extend(drawing)
        return {page: _form(self.book, self.listed, drawing) for page, drawing in sorted(by_page.items())}

    def first_pages(self) -> list[int]:
        """Each part's first page, as an index into the book's pages."""
        found, page = [], self.front_pages
        for part in self.parts:
            found.append(page)
            page += even(part.pages)
        return found

    def catalogue(self) -> None:
        """What spans the whole book: named destinations (an issue's own anchor wins over the contents'
        stand-in), the outline, page labels (roman, then arabic)."""
        marks = list(self.front.marks)
        resolved = dict(self.front.destinations)
        for part, first in zip(self.parts, self.first_pages(), strict=True):
            marks.extend(_shifted(part.marks, first))
            for name, (page, left, top) in part.destinations.items():
                resolved[name] = (page + first, left, top)
        book = self.book
        pages = [page.obj for page in book.pages]
        book.Root.Names = Dictionary(
            Dests=Dictionary(
                Names=Array(
                    [
                        item
                        for name in sorted(resolved)
                        for item in (pikepdf.String(name), _destination(pages, *resolved[name]))
                    ]
                )
            )
        )
        with book.open_outline() as outline:
            outline.root.clear()
            outline.root.extend(_outline_items(pages, marks))
        numbers = Array()
        if self.front_pages:
            numbers.extend([0, Dictionary(S=Name("/r"))])
        numbers.extend([self.front_pages, Dictionary(S=Name("/D"), St=1)])
        book.Root.PageLabels = Dictionary(Nums=numbers)

    def saved(self) -> bytes:
        out = io.BytesIO()
        self.book.save(
            out,
            deterministic_id=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            min_version=self.book.pdf_version,
            # A tagged book holds a structure element per paragraph, line piece and link: as loose objects
            # they doubled the file (60 corpus issues: 6.8 → 14.6 MB); packed in compressed object streams not.
            object_stream_mode=(
                pikepdf.ObjectStreamMode.generate
                if "/StructTreeRoot" in self.book.Root
                else pikepdf.ObjectStreamMode.preserve
            ),
        )
        return out.getvalue()

    def close(self) -> None:
        for pdf in [*self.opened, self.template, self.book]:
            pdf.close()


def merge_parts(plan: PagePlan, *, press: bool, font_programs: Mapping[str, bytes]) -> bytes:
    """One PDF, following the plan: the parts joined, folios, running heads and contents numbers drawn,
    the book's destinations, outline and page labels, one program per shared font, and for the press one
    CMYK profile. The front matter's catalogue (metadata, output intent) becomes the book's."""
    merge = BookMerge(plan, press, font_programs)
    try:
        return merge.saved()
    finally:
        merge.close()
