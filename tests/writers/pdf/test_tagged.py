"""The reading PDF is a tagged PDF (issue 28): one structure tree joined from the parts laid out apart, in
reading order, with headings, lists, tables, figures with /Alt and links; folios and running heads are artifacts.
Read with pikepdf: the tree, the parent tree, and the marked content of every page."""

from __future__ import annotations

import ctypes
from collections import Counter
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from ...testing_utils import ROOT, build_sample, run_cli

CORPUS = ROOT.parent / "shared" / "corpus" / "openbiox-weekly" / "issues"
SHOWS_TEXT = {"Tj", "TJ", "'", '"'}


def _kids(element: pikepdf.Dictionary) -> list:
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, pikepdf.Array) else [found]


def _walk(pdf: pikepdf.Pdf) -> tuple[list[pikepdf.Dictionary], list[tuple[int, int]]]:
    """The structure elements in document order, and the (page, MCID) each marked-content kid names, in order."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    elements: list[pikepdf.Dictionary] = []
    content: list[tuple[int, int]] = []

    def visit(element: pikepdf.Object, page: int | None) -> None:
        if isinstance(element, int):
            assert page is not None
            content.append((page, int(element)))
            return
        if not isinstance(element, pikepdf.Dictionary):
            return
        if "/Pg" in element:
            page = pages[element.Pg.objgen]  # KeyError: a tag pointing at a page the book does not have
        if element.get("/Type") == "/MCR":
            content.append((page, int(element.MCID)))
            return
        if "/S" in element:
            elements.append(element)
        for kid in _kids(element):
            visit(kid, page)

    for kid in _kids(pdf.Root.StructTreeRoot):
        visit(kid, None)
    return elements, content


def _marked_content(pdf: pikepdf.Pdf) -> tuple[list[tuple[int, int]], int]:
    """Each page's MCIDs in drawing order, and how many text operators were outside any marked content."""
    found: list[tuple[int, int]] = []
    unmarked = 0
    for index, page in enumerate(pdf.pages):
        depth = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                depth += 1
                if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    found.append((index, int(operands[1].MCID)))
            elif name == "EMC":
                depth -= 1
            elif name in SHOWS_TEXT and depth == 0:
                unmarked += 1
    return found, unmarked


def _check_tagged(path: Path) -> Counter:
    """Every property of the issue's tagged PDF that holds for any book; the roles found, for more."""
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        assert str(root.Lang).startswith("zh")
        assert bool(root.MarkInfo.Marked)
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert "/StructTreeRoot" in root
        elements, referenced = _walk(pdf)
        roles = Counter(str(element.S) for element in elements)
        assert roles["/Document"] == 1  # one tree, not one per part
        # every picture and code has its description
        assert all(str(e.get("/Alt", "")).strip() for e in elements if e.S == "/Figure")
        # the parent tree: one entry per page and per link, no key twice
        numbers = root.StructTreeRoot.ParentTree.Nums
        keys = [int(numbers[index]) for index in range(0, len(numbers), 2)]
        assert len(keys) == len(set(keys))
        page_keys = [int(page.obj.StructParents) for page in pdf.pages if "/StructParents" in page.obj]
        link_keys = [
            int(annotation.StructParent)
            for page in pdf.pages
            for annotation in page.obj.get("/Annots", [])
            if "/StructParent" in annotation
        ]
        assert len(set(page_keys)) == len(page_keys) and set(page_keys) | set(link_keys) <= set(keys)
        link_objects = [k for e in elements if e.S == "/Link" for k in _kids(e) if isinstance(k, pikepdf.Dictionary)]
        assert len(link_keys) == sum(1 for k in link_objects if "/Obj" in k)
        # what the pages draw: all text is tagged or an artifact (folios, running heads, contents numbers),
        # each piece once, and the tree (the HTML's order) reads the pages one after another
        drawn, unmarked = _marked_content(pdf)
        assert unmarked == 0
        assert set(referenced) == set(drawn) and len(referenced) == len(set(referenced))
        pages = [page for page, _mcid in referenced]
        assert pages == sorted(pages)
        return roles


def _text_by_marked_content(path: Path) -> tuple[dict[tuple[int, int], str], list[str]]:
    """The text each marked-content id draws (PDFium's page objects), and each page's text outside any (the
    folios and running heads, drawn by the merge as artifacts)."""
    document = pdfium.PdfDocument(str(path))
    found: dict[tuple[int, int], str] = {}
    unmarked: list[str] = []
    for index in range(len(document)):
        page = document[index]
        text_page = page.get_textpage()
        outside = ""
        for item in page.get_objects(max_depth=4):
            if item.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            size = pdfium_c.FPDFTextObj_GetText(item.raw, text_page.raw, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFTextObj_GetText(
                item.raw, text_page.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size
            )
            text = buffer.raw[: max(size - 2, 0)].decode("utf-16-le", "replace")
            mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(item.raw)
            if mcid >= 0:
                found[(index, mcid)] = found.get((index, mcid), "") + text
            else:
                outside += text
        unmarked.append(outside)
    return found, unmarked


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("tagged")
    result = build_sample(output, "--format", "pdf")
    assert result.exit_code == 0, result.output
    return next(p for p in output.glob("*.pdf"))


def test_the_sample_book_is_one_tagged_document_in_reading_order(sample: Path) -> None:
    roles = _check_tagged(sample)
    assert roles["/H1"] >= 6  # each issue's title (and the front matter's)
    assert roles["/H2"] > 6 and roles["/L"] and roles["/LI"] and roles["/Table"] and roles["/TH"]
    assert roles["/Figure"] >= 6 and roles["/Link"]
    # no `Span` per piece of text: a paragraph holds its text's marked content itself (internals/weasy/tags.py)
    assert roles["/Span"] == 0 and roles["/P"] > 20


def test_the_tree_holds_each_page_s_text_and_no_running_head(sample: Path) -> None:
    """Page by page, the text the structure tree reaches is the text the page draws (in the HTML's order, which
    may differ from the drawing order: list numbers are drawn last); the running head is not in it."""
    drawn, outside = _text_by_marked_content(sample)
    with pikepdf.open(sample) as pdf:
        _elements, referenced = _walk(pdf)
    by_page: dict[int, str] = {}
    for page, mcid in referenced:
        by_page[page] = by_page.get(page, "") + drawn.get((page, mcid), "")
    for page in {page for page, _mcid in drawn}:
        page_text = "".join(text for (where, _mcid), text in sorted(drawn.items()) if where == page)
        assert sorted("".join(by_page.get(page, "").split())) == sorted("".join(page_text.split())), page
    heads = [text for text in outside if "期" in text]
    assert heads and all(head.strip() not in "".join(by_page.values()) for head in heads)


def test_the_book_says_it_is_pdf_ua_and_is_titled(sample: Path) -> None:
    with pikepdf.open(sample) as pdf:
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert metadata.get("dc:title") and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_issue_titles_are_headings_in_book_order(sample: Path) -> None:
    with pikepdf.open(sample) as pdf:
        elements, _ = _walk(pdf)
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        titles = [pages[e.Pg.objgen] for e in elements if e.S == "/H1" and "/Pg" in e]
        assert titles == sorted(titles) and len(set(titles)) == len(titles)


def test_corpus_issues_are_tagged(tmp_path: Path) -> None:
    result = run_cli(
        "build", "--source", str(CORPUS), "--range", "75-84", "--format", "pdf", "--output", str(tmp_path),
        "--config", str(ROOT / "book.toml"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    roles = _check_tagged(next(tmp_path.glob("*.pdf")))
    assert roles["/H1"] >= 10 and roles["/Link"] > 50


def test_the_press_pdf_stays_untagged_pdf_x(tmp_path: Path) -> None:
    result = build_sample(tmp_path, "--format", "pdf", "--print-ready")
    assert result.exit_code == 0, result.output
    book = next(p for p in tmp_path.glob("*.pdf") if "cover" not in p.name)
    with pikepdf.open(book) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert any(intent.get("/S") == "/GTS_PDFX" for intent in pdf.Root.OutputIntents)
