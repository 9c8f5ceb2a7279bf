"""The PDF is laid out issue by issue and merged: links, fonts and the cache must hold across the parts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from publish.model import Selection
from publish.source import collect_issues
from publish.writers.page_templates import running_head
from tests.testing_utils import ROOT, SAMPLE_ISSUES, build_sample, pdf_pages_text, printed_folio, run_cli, write_issue


def _build(source: Path, output: Path, *extra: str) -> Path:
    result = run_cli(
        "build",
        "--source",
        str(source),
        "--output",
        str(output),
        "--format",
        "pdf",
        "--config",
        str(ROOT / "book.toml"),
        *extra,
    )
    assert result.exit_code == 0, result.output
    return next(output.glob("*.pdf"))


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(SAMPLE_ISSUES, tmp_path_factory.mktemp("parts"), "--no-cache")


def _destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    names = pdf.Root.Names.Dests.Names
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    return {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


def test_contents_links_lead_to_the_page_each_issue_opens_on(sample_pdf: Path) -> None:
    texts = pdf_pages_text(sample_pdf)
    with pikepdf.open(sample_pdf) as pdf:
        destinations = _destinations(pdf)
        contents = next(i for i, text in enumerate(texts) if "目录" in text)
        targets = {  # WeasyPrint writes one annotation per line box of a link
            str(annot.Dest)
            for annot in pdf.pages[contents].obj.get("/Annots", [])
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot
        }
        assert len(targets) == 6
        for target in targets:
            page = destinations[target]
            assert "期" in texts[page] and page > contents
            # the contents prints the folio of the page the link leads to
            assert printed_folio(texts[page]) in texts[contents]


def test_each_shared_face_is_embedded_once_with_every_glyph_drawn(sample_pdf: Path) -> None:
    programs: dict[str, set[tuple[int, int]]] = {}
    with pikepdf.open(sample_pdf) as pdf:
        for page in pdf.pages:
            for font in page.obj.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                assert program is not None and len(program.read_bytes()) > 1000, font.BaseFont
                programs.setdefault(str(font.BaseFont).split("+", 1)[1], set()).add(program.objgen)
    assert "Noto-Serif-CJK-SC" in programs
    assert all(len(streams) == 1 for streams in programs.values()), programs
    # every character the text layer holds was drawn: no missing glyphs and no CJK text lost
    assert "□" not in "".join(pdf_pages_text(sample_pdf))


def test_outline_entries_point_at_the_pages_of_their_issues(sample_pdf: Path) -> None:
    texts = pdf_pages_text(sample_pdf)
    with pikepdf.open(sample_pdf) as pdf, pdf.open_outline() as outline:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        issues = [item for item in outline.root if item.title != "目录"]
        assert len(issues) == 6
        for item in issues:
            page = pages[item.destination[0].objgen]
            assert item.title.split("：")[-1].replace(" ", "")[:4] in texts[page].replace(" ", "")
            for child in item.children:
                assert pages[child.destination[0].objgen] >= page


def _folio_boxes(pdf: Path) -> list[tuple[str, float, float]]:
    """(word, horizontal centre, top) of the lowest word on each page, by poppler's -bbox output."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for page in re.findall(r"<page .*?</page>", html, re.S):
        words = [
            (float(y0), (float(x0) + float(x1)) / 2, word)
            for x0, y0, x1, word in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" [^>]*>([^<]*)<', page)
        ]
        top, centre, word = max(words) if words else (0.0, 0.0, "")
        found.append((word, centre, top))
    return found


def test_folios_are_drawn_where_weasyprint_draws_the_front_matter_folios(sample_pdf: Path) -> None:
    """The merge draws the body folios itself: each must show its page's number, centred on one axis per
    side whatever its digit count, on the baseline of the roman folios WeasyPrint lays out in the front
    matter."""
    boxes = _folio_boxes(sample_pdf)
    with pikepdf.open(sample_pdf) as pdf:
        labels = pdf.Root.PageLabels.Nums
        front = int(labels[2])
    roman = [(index, box) for index, box in enumerate(boxes[:front]) if re.fullmatch(r"[ivx]+", box[0])]
    assert roman, boxes[:front]
    body = [(index, box) for index, box in enumerate(boxes) if index >= front and box[0]]
    assert len(body) >= 10 and any(len(box[0]) == 2 for _, box in body) and any(len(box[0]) == 1 for _, box in body)
    for index, (word, centre, top) in body:
        assert word == str(index - front + 1)
        same_side = [box for i, box in roman if (i - index) % 2 == 0]
        assert abs(top - roman[0][1][2]) < 0.01
        if same_side:
            assert abs(centre - same_side[0][1]) < 0.05, (word, centre, same_side)
    for side in (0, 1):
        centres = [centre for index, (_, centre, _) in body if (index - front) % 2 == side]
        assert max(centres) - min(centres) < 0.05, centres


def test_running_heads_name_the_book_on_versos_and_the_issue_on_rectos(sample_pdf: Path) -> None:
    """The merge draws the running heads from the template: the book's title on every verso that has
    text, the issue's title on every recto of it but its opening page, nothing on blank pages."""
    texts = pdf_pages_text(sample_pdf)
    with pikepdf.open(sample_pdf) as pdf:
        front = int(pdf.Root.PageLabels.Nums[2])
    contents = next(text for text in texts if text.lstrip().startswith("目录"))
    starts = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)]
    found, _ = collect_issues(SAMPLE_ISSUES, Selection())
    titles = [running_head(issue) for issue in found]  # 第 N 期 and the title after its colon
    assert len(starts) == len(titles) >= 6
    checked = {"recto": 0, "verso": 0}
    for issue, (start, title) in enumerate(zip(starts, titles, strict=True)):
        end = starts[issue + 1] if issue + 1 < len(starts) else len(texts) - front + 1
        for folio in range(start, end):
            lines = [line.strip() for line in texts[front + folio - 1].splitlines() if line.strip()]
            if not lines:
                continue  # a blank verso
            top = lines[0].replace(" ", "")
            if folio == start:
                assert title.replace(" ", "")[:6] not in top.replace("　", "") and "山海周刊合订本" not in top
            elif folio % 2:
                assert top.replace("　", "").startswith(title.replace(" ", "").replace("　", "")[:6]), (folio, top)
                checked["recto"] += 1
            else:
                assert top.startswith("山海周刊合订本"), (folio, top)
                checked["verso"] += 1
    assert checked["recto"] >= 1 and checked["verso"] >= 4, checked


def test_a_rebuild_after_one_edit_lays_out_only_that_issue(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    shutil.copytree(SAMPLE_ISSUES, source)
    output = tmp_path / "out"
    first = _build(source, output).read_bytes()
    cache = output / ".cache" / "layout"
    before = {p.name for p in cache.iterdir()}
    assert len(before) == 6 + 2  # six issues, the contents and the folio template
    edited = sorted(source.glob("*.md"))[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\n编辑补充了一句话。\n", encoding="utf-8")
    second = _build(source, output).read_bytes()
    added = {p.name for p in cache.iterdir()} - before
    assert len(added) == 1, added  # the page count did not change, so contents and folios came from the cache
    assert second != first
    assert "编辑补充了一句话" in "".join(pdf_pages_text(next(output.glob("*.pdf")))).replace(" ", "")


def test_contents_page_numbers_are_right_aligned_in_one_column(sample_pdf: Path) -> None:
    """The merge draws the contents' page numbers in slots the layout left: they must end on one vertical
    line (the text block's edge), whatever their digit count."""
    html = subprocess.run(["pdftotext", "-bbox", str(sample_pdf), "-"], capture_output=True, text=True).stdout
    pages = re.findall(r"<page .*?</page>", html, re.S)
    contents = next(page for page in pages if ">目录<" in page)
    numbers = [
        (word, float(x1))
        for x1, word in re.findall(r'xMax="([\d.]+)" [^>]*>(\d+)<', contents)
        if float(x1) > 300  # the page numbers, not the issue numbers at the start of the lines
    ]
    assert len(numbers) >= 6 and {len(word) for word, _ in numbers} == {1, 2}, numbers
    edges = [x1 for _, x1 in numbers]
    assert max(edges) - min(edges) < 0.05, numbers


def test_a_page_count_change_does_not_lay_out_the_contents_again(tmp_path: Path) -> None:
    source = tmp_path / "issues"
    shutil.copytree(SAMPLE_ISSUES, source)
    output = tmp_path / "out"
    pdf = _build(source, output)
    before_pages = len(pdf_pages_text(pdf))
    cache = output / ".cache" / "layout"
    before = {p.name for p in cache.iterdir()}
    edited = sorted(source.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\n" + "补充的长段落。" * 400 + "\n", encoding="utf-8")
    pdf = _build(source, output)
    added = {p.name for p in cache.iterdir()} - before
    texts = pdf_pages_text(pdf)
    assert len(texts) >= before_pages + 2  # the first issue grew by pages, so every later issue moved
    assert len(added) == 1, added  # only the edited issue was laid out: contents and folios came from the cache
    contents = next(text for text in texts if text.lstrip().startswith("目录"))
    listed = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)]
    with pikepdf.open(pdf) as book:
        front = int(book.Root.PageLabels.Nums[2])
    second = sorted(source.glob("*.md"))[1].read_text(encoding="utf-8")
    date = re.search(r'^date: "?(\d{4})-(\d\d)-(\d\d)', second, re.MULTILINE)
    assert date is not None
    opening = texts[front + listed[1] - 1]
    assert printed_folio(opening) == str(listed[1])
    assert f"{int(date[1])}年{int(date[2])}月{int(date[3])}日" in re.sub(r"\s", "", opening)


def test_contents_slots_widen_when_the_page_count_guess_was_a_digit_short(tmp_path: Path) -> None:
    """The slot width comes from a guess of the page count by characters; an issue of many short lines
    fills far more pages than its characters say, so the contents are laid out again, wider."""
    source = tmp_path / "issues"
    write_issue(source, "issue-001.md", 1, '"2026-01-05"', '"短行很多的一期"', body="短。\n\n" * 400)
    write_issue(source, "issue-002.md", 2, '"2026-01-12"', '"第二期"')
    pdf = _build(source, tmp_path / "out")
    # two issues, the folio template, and the contents twice: with one-digit slots, then two
    assert len(list((tmp_path / "out" / ".cache" / "layout").iterdir())) == 5
    texts = pdf_pages_text(pdf)
    contents = next(text for text in texts if text.lstrip().startswith("目录"))
    listed = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)]
    assert listed[0] == 1 and listed[1] >= 10, listed
    with pikepdf.open(pdf) as book:
        front = int(book.Root.PageLabels.Nums[2])
    assert printed_folio(texts[front + listed[1] - 1]) == str(listed[1])
    assert "第二期" in texts[front + listed[1] - 1]
    edges = re.findall(
        r'xMax="([\d.]+)" [^>]*>(\d+)<',
        subprocess.run(
            [
                "pdftotext",
                "-bbox",
                "-f",
                str(texts.index(contents) + 1),
                "-l",
                str(texts.index(contents) + 1),
                str(pdf),
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout,
    )
    right = [float(x) for x, word in edges if word in {"1", str(listed[1])} and float(x) > 300]
    assert len(right) == 2 and abs(right[0] - right[1]) < 0.05, right


def test_a_corrupt_cache_is_ignored_and_the_books_are_the_same(tmp_path: Path) -> None:
    def build_all(output: Path, *extra: str) -> dict[str, bytes]:
        result = build_sample(output, *extra)
        assert result.exit_code == 0, result.output
        return {p.suffix: p.read_bytes() for p in output.glob("*.*") if p.is_file()}

    clean = build_all(tmp_path / "clean", "--no-cache")
    output = tmp_path / "out"
    build_all(output)
    cached = sorted(p for p in (output / ".cache").rglob("*") if p.is_file())
    kinds = {"render", "rendered-pictures", "typeset", "layout", "fonts", "pictures", "merged-pdf"}
    assert {p.parent.name for p in cached} == kinds
    for index, path in enumerate(cached):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if index % 2 else b"{not what was written" + data[40:])
    assert build_all(output) == clean


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    result = run_cli("build", "--source", str(SAMPLE_ISSUES), "--output", str(tmp_path), "--format", "pdf")
    assert result.exit_code == 0
    assert "排版 PDF" not in result.output


def test_cache_entries_unused_for_a_month_are_removed(tmp_path: Path) -> None:
    import os
    import time

    output = tmp_path / "out"
    _build(SAMPLE_ISSUES, output)
    kinds = ("render", "rendered-pictures", "typeset", "layout", "fonts", "pictures", "merged-pdf")
    entries = [p for kind in kinds for p in (output / ".cache" / kind).iterdir()]
    assert {p.parent.name for p in entries} == set(kinds)
    old = time.time() - 40 * 86400
    for kind in kinds:
        unused = output / ".cache" / kind / ("0" * 64)
        unused.write_text("{}", encoding="utf-8")
        os.utime(unused, (old, old))
    _build(SAMPLE_ISSUES, output)
    for kind in kinds:
        assert not (output / ".cache" / kind / ("0" * 64)).exists(), kind
    assert all(p.exists() for p in entries)  # used by this build: kept


def _outline_pages(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        found = []
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            found.append((item.title, pages[item.destination[0].objgen]))
            stack.extend(item.children)
    return found


def test_a_book_merged_a_few_parts_at_a_time_is_the_same_book(
    sample_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long book is written out and read back every few parts while merging (memory stays bounded, issue
    18): the same pages, text, folios, running heads, outline, named destinations, labels and fonts."""
    from publish.writers.pdf import merge

    monkeypatch.setattr(merge, "PARTS_HELD_OPEN", 2)
    batched = _build(SAMPLE_ISSUES, tmp_path, "--no-cache")
    assert pdf_pages_text(batched) == pdf_pages_text(sample_pdf)
    assert _folio_boxes(batched) == _folio_boxes(sample_pdf)
    with pikepdf.open(batched) as one, pikepdf.open(sample_pdf) as other:
        assert len(one.pages) == len(other.pages)
        assert _destinations(one) == _destinations(other)
        assert _outline_pages(one) == _outline_pages(other)
        assert repr(one.Root.PageLabels) == repr(other.Root.PageLabels)
        fonts = [{str(font.BaseFont) for font in page.Resources.get("/Font", {}).values()} for page in one.pages]
        assert fonts == [
            {str(font.BaseFont) for font in page.Resources.get("/Font", {}).values()} for page in other.pages
        ]
