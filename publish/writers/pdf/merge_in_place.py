"""The merged book kept open between the builds of `publish build --watch`, and updated in place.

After an edit, one issue's part changes and the rest of the book does not; a merge from scratch copies all
the parts again (1.4 s for the 52-issue bench book, most of it QPDF copying and resolving 43,000 objects).
The watch's merge process keeps the last merged book open instead, and puts the new part where the old one
was: its pages, its structure elements and parent-tree entries, its bookmarks and named destinations; the
folios after it and the contents numbers redrawn if its page count changed, the shared font programs
rewritten if it used other glyphs. The result is the book a merge from scratch makes, byte for byte (QPDF
numbers objects as it meets them from the catalogue, so the same objects give the same file): the tests
compare the two.

Anything else — another front matter or folio template (a title, the page count's digits), another number
of issues, the press PDF, a book written back on the way (PARTS_HELD_OPEN) — is merged from scratch, and so
is every UPDATES_BEFORE_FRESH_MERGE-th update: the parts put out stay in memory until then."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Mapping

import pikepdf
from pikepdf import Array, Name

from publish.writers.pdf.merge import (
    BookMerge,
    JoinedPart,
    StructureShare,
    document_element,
    join_structure,
    links_tagged_as_links,
    part_bookmarks,
    part_destinations,
)
from publish.writers.pdf.page_plan import PagePlan, even

log = logging.getLogger(__name__)

UPDATES_BEFORE_FRESH_MERGE = 10
"""Each update leaves the part it took out in memory (its objects are no longer in the book, and not written):
after this many, the book is merged from scratch and the old parts let go. The 52-issue bench book kept open
holds 300 MB, and 7 MB more after each update (measured with the freed memory given back, see below)."""

CHANGED_PARTS_IN_PLACE = 8
"""More changed parts than this (a stylesheet edited, every part laid out again) are merged from scratch."""


class KeptBook:
    """A merged book and the count of updates made to it."""

    def __init__(self, merge: BookMerge, data: bytes) -> None:
        self.merge = merge
        self.data = data
        """The book as last saved."""
        self.updates = 0

    def can_take(self, plan: PagePlan, press: bool) -> bool:
        merge = self.merge
        old = merge.plan
        if press or merge.press or merge.written_back or self.updates >= UPDATES_BEFORE_FRESH_MERGE:
            return False
        if plan.front != old.front or plan.folio_template != old.folio_template:
            return False
        if len(plan.bodies) != len(old.bodies):
            return False
        changed = sum(1 for new, part in zip(plan.bodies, merge.parts, strict=True) if new != part.data)
        return changed <= CHANGED_PARTS_IN_PLACE

    def update(self, plan: PagePlan, font_programs: Mapping[str, bytes]) -> bytes:
        """The book with each changed part put in place of the old one, as a merge from scratch makes it."""
        merge = self.merge
        old_plan = merge.plan
        if plan == old_plan and dict(font_programs) == merge.fonts.programs:
            return self.data  # a build with nothing changed (a file saved as it was)
        old_first_pages = merge.first_pages()
        changed = [
            index for index, (new, part) in enumerate(zip(plan.bodies, merge.parts, strict=True)) if new != part.data
        ]
        for index in changed:
            _replace_part(merge, index, plan.bodies[index])
        merge.plan = plan
        new_pages: list[pikepdf.Page] = []
        for index in changed:
            first = merge.first_pages()[index] - merge.front_pages
            for page in range(first, first + even(merge.parts[index].pages)):
                merge.decorate(page, plan.pages[page])
                new_pages.append(merge.book.pages[merge.front_pages + page])
        merge.overlays.draw()
        _redraw_moved_folios(merge, old_plan, old_first_pages, set(changed))
        _redraw_contents_numbers(merge, old_plan)
        merge.catalogue()
        merge.fonts.update(font_programs)
        merge.fonts.install(new_pages)
        self.updates += 1
        self.data = merge.saved()
        return self.data


def _replace_part(merge: BookMerge, index: int, body: bytes) -> None:
    """The part's new version in the old one's place: pages, structure, parent-tree keys (those of the parts
    after it moved by the difference in keys, as a merge from scratch numbers them)."""
    book = merge.book
    old = merge.parts[index]
    first = merge.first_pages()[index]
    del book.pages[first : first + even(old.pages)]
    part = pikepdf.open(io.BytesIO(body))
    merge.opened.append(part)
    with warnings.catch_warnings():  # named destinations are rebuilt for the whole book
        warnings.filterwarnings("ignore", message="Copying pages from another Pdf")
        for offset, page in enumerate(part.pages):
            book.pages.insert(first + offset, page)
        if len(part.pages) % 2:
            book.pages.insert(first + len(part.pages), merge.blank)
    joined = JoinedPart(body, len(part.pages), part_bookmarks(part, 0), part_destinations(part), StructureShare())
    joined.structure = _structure_in_place(merge, index, part, first)
    merge.parts[index] = joined
    links_tagged_as_links(book.pages[first : first + len(part.pages)], _parent_tree_entries(merge, index))


def _structure_in_place(merge: BookMerge, index: int, part: pikepdf.Pdf, first: int) -> StructureShare:
    root = merge.book.Root.get("/StructTreeRoot")
    if root is None or part.Root.get("/StructTreeRoot") is None:
        return StructureShare()
    before = [merge.front.structure, *(joined.structure for joined in merge.parts[:index])]
    kids_at = sum(share.kids for share in before)
    entries_at = sum(share.entries for share in before)
    keys_at = sum(share.keys for share in before)
    old = merge.parts[index].structure
    document = document_element(root)
    numbers = root.ParentTree.Nums
    later_entries = list(numbers)[2 * (entries_at + old.entries) :]
    later_kids = list(document.K)[kids_at + old.kids :]
    # the new part's structure joins at the end, as in a merge from scratch, then the later parts follow it
    del document.K[kids_at:]
    del numbers[2 * entries_at :]
    root.ParentTreeNextKey = keys_at
    share = join_structure(merge.book, part, first)
    document.K.extend(later_kids)
    moved = share.keys - old.keys
    for position in range(0, len(later_entries), 2):
        numbers.append(int(later_entries[position]) + moved)
        numbers.append(later_entries[position + 1])
    root.ParentTreeNextKey = keys_at + share.keys + sum(joined.structure.keys for joined in merge.parts[index + 1 :])
    if moved:
        for page in merge.book.pages[first + even(len(part.pages)) :]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + moved
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + moved
    return share


def _parent_tree_entries(merge: BookMerge, index: int) -> dict[int, pikepdf.Object]:
    """The parent tree's entries of part `index`, by key."""
    root = merge.book.Root.get("/StructTreeRoot")
    if root is None:
        return {}
    start = merge.front.structure.entries + sum(joined.structure.entries for joined in merge.parts[:index])
    numbers = root.ParentTree.Nums
    return {
        int(numbers[position]): numbers[position + 1]
        for position in range(2 * start, 2 * (start + merge.parts[index].structure.entries), 2)
    }


def _redraw_moved_folios(merge: BookMerge, old_plan: PagePlan, old_first_pages: list[int], changed: set[int]) -> None:
    """The folio of every page of an unchanged part whose number moved (a changed part before it has another
    even page count)."""
    new_first_pages = merge.first_pages()
    for index, part in enumerate(merge.parts):
        if index in changed:
            continue
        old_start = old_first_pages[index] - merge.front_pages
        new_start = new_first_pages[index] - merge.front_pages
        if old_start == new_start:
            continue
        for page in range(even(part.pages)):
            planned = merge.plan.pages[new_start + page]
            if planned.folio is None or planned.folio == old_plan.pages[old_start + page].folio:
                continue
            book_page = merge.book.pages[merge.front_pages + new_start + page]
            book_page.obj.Resources.XObject.Folio = merge.folio_form(new_start + page, planned.folio)


def _redraw_contents_numbers(merge: BookMerge, old_plan: PagePlan) -> None:
    """The contents numbers of each front page where one of them changed."""
    if old_plan.contents_numbers == merge.plan.contents_numbers:
        return

    def by_page(plan: PagePlan) -> dict[int, list]:
        found: dict[int, list] = {}
        for entry in plan.contents_numbers:
            found.setdefault(entry.page, []).append(entry)
        return found

    old, new = by_page(old_plan), by_page(merge.plan)
    forms = merge.contents_forms(merge.plan)
    for page, entries in new.items():
        if old.get(page) != entries:
            merge.book.pages[page].obj.Resources.XObject[Name.Numbers] = forms[page]


_kept: dict[str, KeptBook] = {}
"""The watch's merged books, by slot (book, volume, press), in the process that merges them."""


def merge_kept(slot: str, plan: PagePlan, *, press: bool, font_programs: Mapping[str, bytes]) -> tuple[bytes, bool]:
    """The book merged by its plan, and whether it was merged from scratch: the kept book of the slot updated
    in place when it can take the plan, else merged from scratch (and kept, for the next build)."""
    kept = _kept.pop(slot, None)
    if kept is not None and kept.can_take(plan, press):
        try:
            data = kept.update(plan, font_programs)
        except Exception:  # a bug here must not cost the editor the book: merged from scratch below
            log.exception("the PDF could not be updated in place; it is merged from scratch")
        else:
            _kept[slot] = kept
            _give_back_freed_memory()
            return data, False
    if kept is not None:  # let go of it before the new one is made: QPDF frees a book when no handle is left
        kept.merge.close()
        kept = None
        _give_back_freed_memory()
    merge = BookMerge(plan, press, font_programs)
    data = merge.saved()
    if merge.written_back or press:
        merge.close()
    else:
        _kept[slot] = KeptBook(merge, data)
    _give_back_freed_memory()
    return data, True


def _give_back_freed_memory() -> None:
    """Return the memory of the books and parts let go to the system: glibc keeps it for the process otherwise.
    Over 45 edits of the bench book, the merger stays between 300 and 380 MB with it (670 MB without); it
    takes a millisecond."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
