"""Links a reader follows from paper (issue 28): each link's QR code, the issue's web page, videos kept as frames.
Every code is read back from the page rendered at 300 dpi by Debian's zbar (`zbarimg`), as a phone would."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from publish.editor.typo_report import Glyph, read_layout

from ...testing_utils import NS, epubcheck_findings, run_cli, tiny_png, write_issue

LONG = "https://example.com/" + "a" * 2000
ESCAPED = "https://zh.wikipedia.org/wiki/%E8%A1%8C%E9%81%93%E6%A8%B9"
LINKS = {
    1: "https://github.com/example/one",
    2: "https://www.inaturalist.org/",
    3: ESCAPED,
    4: LONG,
    5: "https://codeberg.org/someone/tool/src/branch/main/docs/guide.md",
}
BODY = f"""读者推荐了几个工具：[第一个]({LINKS[1]})、[第二个]({LINKS[2]})、[维基百科]({LINKS[3]})。

还有[一个很长的地址]({LONG})，以及[第五个]({LINKS[5]})和[第一个的重复]({LINKS[1]})。
"""
DPI = 300
MM = 72 / 25.4


def _decode(image: Image.Image, folder: Path) -> list[str]:
    path = folder / "crop.png"
    image.save(path)
    found = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=False)
    return found.stdout.split()


def _render(pdf: Path, page: int, folder: Path) -> Image.Image:
    stem = folder / f"page-{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    return Image.open(f"{stem}.png")


def _crop(page: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    """A part of the page, given in PDF points from its top left."""
    scale = DPI / 72
    return page.crop((round(left * scale), round(top * scale), round(right * scale), round(bottom * scale)))


def _captions(glyphs: list[Glyph]) -> list[tuple[int, float]]:
    """The captions on one line of the code grid: each one's number and the middle of its cell."""
    groups: list[list[Glyph]] = []
    for glyph in glyphs:
        if groups and glyph.x0 - groups[-1][-1].x1 < 3 * MM:
            groups[-1].append(glyph)
        else:
            groups.append([glyph])
    found = []
    for group in groups:
        text = "".join(g.text for g in group).strip()
        number = text.split(" ")[0]
        if number.isdigit():
            found.append((int(number), (group[0].x0 + group[-1].x1) / 2))
    return found


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("codes")
    write_issue(folder / "issues", "issue-007.md", number=7, body=BODY)
    config = folder / "book.toml"
    config.write_text(
        '[book]\ntitle = "测试"\nissue_url = "https://example.com/weekly/issue-{number}.html"\n'
        '[print]\nlinks = "qrcodes"\n',
        encoding="utf-8",
    )
    result = run_cli(
        "build", "--source", str(folder / "issues"), "--config", str(config), "--output", str(folder / "out")
    )
    assert result.exit_code == 0, result.output
    pdf = next(p for p in (folder / "out").glob("*.pdf"))
    return folder, pdf, result.output


def test_every_code_decodes_to_its_link_in_reading_order_under_its_number(book: tuple[Path, Path, str]) -> None:
    folder, pdf, _output = book
    layout = read_layout(pdf)
    body_line = next(line for line in layout.lines if line.text.startswith("读者推荐"))
    assert "第一个1、第二个2、维基百科3" in body_line.text  # the numbers after the link texts
    heading = next(line for line in layout.lines if line.text.strip() == "本期链接")
    grid = next(line for line in layout.lines if line.page == heading.page and line.baseline > heading.baseline)
    cells = _captions(grid.glyphs)
    assert [number for number, _ in cells] == [1, 2, 3, 5]  # 4 is too long for a code
    page = _render(pdf, grid.page, folder)
    for number, middle in cells:
        crop = _crop(page, middle - 13 * MM, grid.baseline - 26 * MM, middle + 13 * MM, grid.baseline - 2 * MM)
        assert _decode(crop, folder) == [LINKS[number]], number  # the escaped address as the link gives it
    assert "codeberg.org" in grid.text and "inaturalist.org" in grid.text  # each code's host under it


def test_an_address_too_long_for_a_code_is_printed_and_counted(book: tuple[Path, Path, str]) -> None:
    _folder, pdf, output = book
    text = "".join(line.text for line in read_layout(pdf).lines)
    assert "4 https://example.com/aaaa" in text
    assert "1 link address(es) printed instead of a QR code" in output


def test_the_issue_opening_carries_the_code_of_its_web_page(book: tuple[Path, Path, str]) -> None:
    folder, pdf, _output = book
    layout = read_layout(pdf)
    words = next(line for line in layout.lines if line.text.strip() == "扫码阅读本期网页版")
    address = next(line for line in layout.lines if line.page == words.page and line.baseline > words.baseline)
    assert address.text.strip() == "example.com/weekly/issue-7.html"
    page = _render(pdf, words.page, folder)
    crop = _crop(page, words.x0 - 26 * MM, words.baseline - 20 * MM, words.x0, words.baseline + 15 * MM)
    assert _decode(crop, folder) == ["https://example.com/weekly/issue-7.html"]


def test_the_epub_opening_links_to_the_web_page(book: tuple[Path, Path, str]) -> None:
    folder, _pdf, _output = book
    epub = next((folder / "out").glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:
        chapter = etree.fromstring(archive.read("EPUB/issue-0007.xhtml"))
    links = chapter.xpath("//x:header//x:p[@class='issue-web']/x:a", namespaces=NS)
    assert [link.get("href") for link in links] == ["https://example.com/weekly/issue-7.html"]


def test_the_press_pdf_prints_codes_in_black_ink_only(book: tuple[Path, Path, str]) -> None:
    folder, pdf, _output = book
    press = folder / "press"
    result = run_cli(
        "build", "--source", str(folder / "issues"), "--config", str(folder / "book.toml"),
        "--output", str(press), "--format", "pdf", "--print-ready",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = next(p for p in press.glob("*.pdf") if "cover" not in p.name)

    def contents(path: Path) -> bytes:
        with pikepdf.open(path) as document:
            streams = []
            for page in document.pages:
                found = page.obj.get("/Contents")
                streams += list(found) if isinstance(found, pikepdf.Array) else [found] if found is not None else []
            return b"".join(stream.read_bytes() for stream in streams)

    # each code is one stroked path: in the press PDF its colour is K alone, on screen it is RGB black
    assert contents(printed).count(b"/DeviceCMYK CS\n0 0 0 1 SCN") >= 5
    assert b"/DeviceCMYK CS\n0 0 0 1 SCN" not in contents(pdf)


VIDEOS = """演示视频：

<video controls poster="poster.png"><source src="https://cdn.example.com/demo.mp4" type="video/mp4">不支持视频。</video>

没有封面的视频：

<video src="https://videos.example.org/clip.webm" controls></video>

B 站的播放器：

<iframe src="//player.bilibili.com/player.html?bvid=BV1xx411c7mD" allowfullscreen></iframe>

<video controls>
没有地址的视频
</video>
"""


def test_videos_are_kept_as_frames_linking_to_them(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "issue-001.md", body=VIDEOS)
    (issues / "poster.png").write_bytes(tiny_png(size=(320, 180)))
    config = tmp_path / "book.toml"
    config.write_text('[print]\nlinks = "qrcodes"\n', encoding="utf-8")
    result = run_cli("build", "--source", str(issues), "--config", str(config), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    # kept, not warned of; the one video that says nowhere where it plays is removed with a warning
    assert "<iframe>" not in result.output and result.output.count("raw HTML <video> was removed") == 1

    epub = next((tmp_path / "out").glob("*.epub"))
    assert epubcheck_findings(epub) == []
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        chapter = etree.fromstring(archive.read("EPUB/issue-0001.xhtml"))
    assert not [name for name in names if name.endswith((".mp4", ".webm"))]
    links = chapter.xpath("//x:a[@class='video-link']", namespaces=NS)
    assert [link.get("href") for link in links] == [
        "https://cdn.example.com/demo.mp4",
        "https://videos.example.org/clip.webm",
        "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD",
    ]
    poster = links[0].find("x:img", NS)
    assert poster is not None and poster.get("src", "").startswith("images/")  # the poster, in the book
    frames = [link.find("x:span[@class='video-frame']", NS) for link in links[1:]]
    assert [frame.get("aria-label") for frame in frames] == ["视频：videos.example.org", "视频：bilibili.com"]

    pdf = next((tmp_path / "out").glob("*.pdf"))
    layout = read_layout(pdf)
    text = "".join(line.text for line in layout.lines)
    assert "视频" in text and "videos.example.org" in text
    heading = next(line for line in layout.lines if line.text.strip() == "本期链接")
    grid = next(line for line in layout.lines if line.page == heading.page and line.baseline > heading.baseline)
    page = _render(pdf, grid.page, tmp_path)
    decoded = [
        _decode(
            _crop(page, middle - 13 * MM, grid.baseline - 26 * MM, middle + 13 * MM, grid.baseline - 2 * MM), tmp_path
        )
        for _number, middle in _captions(grid.glyphs)
    ]
    assert decoded == [[link.get("href")] for link in links]


def test_an_issue_url_of_its_own_wins_and_bad_addresses_are_refused(tmp_path: Path) -> None:
    issues = tmp_path / "issues"
    write_issue(issues, "issue-001.md", number=1, extra='url: "https://blog.example.net/posts/first"\n')
    write_issue(issues, "issue-002.md", number=2, date='"2026-01-12"')
    config = tmp_path / "book.toml"
    config.write_text('[book]\nissue_url = "https://example.com/weekly/{number}/"\n', encoding="utf-8")
    result = run_cli(
        "build", "--source", str(issues), "--config", str(config), "--output", str(tmp_path / "out"), "--format", "epub"
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as archive:
        hrefs = [
            etree.fromstring(archive.read(f"EPUB/issue-000{n}.xhtml")).xpath(
                "//x:p[@class='issue-web']/x:a/@href", namespaces=NS
            )
            for n in (1, 2)
        ]
    assert hrefs == [["https://blog.example.net/posts/first"], ["https://example.com/weekly/2/"]]

    write_issue(issues, "issue-003.md", number=3, date='"2026-01-19"', extra='url: "ftp://example.com/3"\n')
    config.write_text('[book]\nissue_url = "https://example.com/{issue}.html"\n', encoding="utf-8")
    result = run_cli("build", "--source", str(issues), "--config", str(config), "--output", str(tmp_path / "bad"))
    assert result.exit_code != 0
    assert "book.issue_url" in result.output and "{number}" in result.output
    config.write_text('[book]\nissue_url = "https://example.com/{number}.html"\n', encoding="utf-8")
    result = run_cli("build", "--source", str(issues), "--config", str(config), "--output", str(tmp_path / "bad"))
    assert result.exit_code != 0
    assert "issue-003.md:" in result.output and "url: 'ftp://example.com/3' is not a web address" in result.output
    assert not [*(tmp_path / "bad").glob("*.pdf"), *(tmp_path / "bad").glob("*.epub")]  # no book written
