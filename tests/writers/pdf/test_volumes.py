"""Volumes: a book longer than `[print] max_pages` comes out as balanced volumes at issue boundaries, each a book
of its own — title page naming it and its issues, contents, folios from 1, running heads, outline, its own cover
with its own spine — and the EPUB's page list says which volume a page is in."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from publish.writers.pdf.page_plan import balanced_volumes, volume_names

from ...testing_utils import Epub, epubcheck_findings, run_cli, write_issue

MM = 72 / 25.4


def test_a_1700_page_book_splits_into_three_balanced_volumes() -> None:
    """The split itself, on the page counts of a made-up year: 52 issues of 24 to 42 pages."""
    sizes = [24 + (n * 7) % 19 for n in range(52)]
    sizes = [size + size % 2 for size in sizes]  # each issue opens on a recto
    assert 1650 <= sum(sizes) <= 1750
    volumes = balanced_volumes(sizes, 800 - 8)
    pages = [sum(sizes[i] for i in volume) for volume in volumes]
    assert len(volumes) == 3 and max(pages) <= 792
    assert max(pages) <= 1.15 * min(pages)  # within 15 % of each other
    assert [i for volume in volumes for i in volume] == list(range(52))  # every issue once, in order
    assert volume_names(3) == ["上册", "中册", "下册"] and volume_names(4)[3] == "第四册"


def _outline(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        return [(str(item.title), pages[item.destination[0].objgen]) for item in outline.root]


def _page_text(path: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.slow
def test_a_long_book_comes_out_as_volumes_each_a_book_of_its_own(tmp_path: Path) -> None:
    """52 made-up issues, about 1,700 A5 pages: three volumes of at most 800 pages."""
    source = tmp_path / "issues"
    paragraph = "这是一段用来撑起页面的正文，写的是城市里的树和人，" * 12 + "。"
    for number in range(1, 53):
        pages = 24 + (number * 7) % 19
        body = f"## 第 {number} 期的正文\n\n" + "\n\n".join([paragraph] * int(pages * 2.55)) + "\n"
        write_issue(
            source,
            f"issue-{number:03d}.md",
            number=number,
            title=f'"第{number}期：树"',
            date=f'"2026-{1 + (number - 1) // 5:02d}-{1 + (number - 1) % 5 * 6:02d}"',
            body=body,
        )
    (tmp_path / "book.toml").write_text('[book]\ntitle = "树的周刊"\nslug = "trees"\n', encoding="utf-8")
    result = run_cli(
        "build", "--source", str(source), "--output", str(tmp_path / "out"), "--config", str(tmp_path / "book.toml"),
        "--print-ready",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "PDF in 3 volumes" in result.stderr and "max_pages = 800" in result.stderr
    out = tmp_path / "out"
    assert not (out / "trees-2026.pdf").exists()
    counts = []
    first_issue = 1
    for number, name in enumerate(["上册", "中册", "下册"], start=1):
        path = out / f"trees-2026-{number}.pdf"
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
            counts.append(pages)
            assert pages <= 800
            outline = _outline(pdf)
            labels = pdf.Root.PageLabels.Nums
            front = int(labels[2])  # where arabic folios start: after the volume's own front matter
        assert name in _page_text(path, 1)  # the title page names the volume …
        issues = [int(n) for n in re.findall(r"第 (\d+)–\d+ 期", _page_text(path, 1))]
        assert issues and issues[0] == first_issue  # … and the issues it holds
        contents = "".join(_page_text(path, page) for page in range(3, front + 1))
        entries = re.findall(r"第 (\d+) 期\s+第 ?\d+ ?期：树\s*\.*\s*(\d+)", contents)
        assert entries and int(entries[0][0]) == first_issue and int(entries[0][1]) == 1  # folios from 1
        assert outline[0][0] == "目录"
        for title, index in outline[1:]:  # each issue's bookmark on the page its contents entry names
            issue = re.search(r"第(\d+)期", title)
            folio = dict((int(n), int(f)) for n, f in entries)[int(issue[1])]
            assert index == front + folio - 1
            assert f"第 {issue[1]} 期" in _page_text(path, index + 1)
        first_issue = int(entries[-1][0]) + 1
        cover = pikepdf.open(out / f"trees-2026-{number}-cover.pdf")
        spine_mm = (float(cover.pages[0].trimbox[2]) - float(cover.pages[0].trimbox[0])) / MM - 2 * 148
        assert spine_mm == pytest.approx(-(-pages // 2) * 0.1, abs=0.05)  # its own spine
    assert first_issue == 53
    assert max(counts) <= 1.15 * min(counts)
    assert epubcheck_findings(next(out.glob("*.epub"))) == []  # a folio repeats across volumes: no NCX value
    epub = Epub(next(out.glob("*.epub")))
    page_list = epub.nav().find(".//{*}nav[@id='page-list']")
    labels = [a.text for a in page_list.iter("{*}a")]
    assert labels[0] == "上册 p. 1" and any(label.startswith("下册 p. ") for label in labels)
    assert len(set(a.get("href") for a in page_list.iter("{*}a"))) == len(labels)  # every marker its own
